// The faults a cluster backend can inject, in the order lessons meet them. Dependency-free, so
// the lesson parser (and with it the web app's editor) can share the list without a schema library.

export const ALL_FAULTS = [
  'kill',
  'restart',
  'pause',
  'resume',
  'partition',
  'heal',
  'speed',
  'noop',
  'reset',
  // Paper §7 and dissertation §4.1 (lessons 14 and 15): compaction, load, a lost disk, membership.
  'snapshot',
  'write',
  'wipe',
  'add',
  'promote',
  'remove',
  /** Dissertation §9.6, §6.2/§4.2.3, §6.4: the Raft switches (`prevote`, `checkquorum`, `reads`). */
  'switches',
  /** Dissertation §3.10: `transfer leadership to nodeN`. */
  'transfer',
] as const;
export type Fault = (typeof ALL_FAULTS)[number];

/** The membership and disk actions; a backend that cannot run a new server offers none of them. */
export const MEMBERSHIP_FAULTS = ['wipe', 'add', 'promote', 'remove'] as const;
