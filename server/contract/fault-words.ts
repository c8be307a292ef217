// The faults a cluster backend can inject, in the order lessons meet them, and the cluster-cell
// words each one brings. Dependency-free, so the lesson parser (and with it the web app's editor)
// can share the lists without a schema library.

/**
 * Every fault; `local` and `docker` offer all of them. `messages`, `links` and `timers` act
 * through the nodes' /admin API (hold and step messages, fault a link, stop or fire a timer).
 */
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
  'messages',
  'links',
  'timers',
  /** Dissertation §9.6, §6.2/§4.2.3, §6.4: the Raft switches (`prevote`, `checkquorum`, `reads`). */
  'switches',
  /** Dissertation §3.10: `transfer leadership to nodeN`. */
  'transfer',
] as const;
export type Fault = (typeof ALL_FAULTS)[number];

/** The membership and disk actions; a backend that cannot run a new server offers none of them. */
export const MEMBERSHIP_FAULTS = ['wipe', 'add', 'promote', 'remove'] as const;

/** Stopping and starting a node's process; a backend that only reaches the nodes over HTTP cannot. */
export const PROCESS_FAULTS = ['kill', 'restart'] as const;

/** Every fault but those of `groups`, in ALL_FAULTS's order: what a backend with limits offers. */
export function faultsExcept(...groups: readonly (readonly Fault[])[]): Fault[] {
  const left = new Set<Fault>(groups.flat());
  return ALL_FAULTS.filter((f) => !left.has(f));
}

/** The cluster-cell words that need each fault (docs/lesson-format.md, "Messages, links and timers"). */
export const FAULT_WORDS = {
  kill: ['kill'],
  restart: ['restart'],
  pause: ['pause'],
  resume: ['resume'],
  partition: ['partition'],
  heal: ['heal'],
  speed: ['speed'],
  noop: ['noop'],
  reset: ['reset'],
  snapshot: ['snapshot every'],
  write: ['write'],
  wipe: ['wipe'],
  add: ['add'],
  promote: ['promote'],
  remove: ['remove'],
  messages: ['hold', 'release', 'deliver', 'drop'],
  links: ['link', 'wires'],
  timers: ['pause timer', 'resume timer', 'timeout'],
  switches: ['prevote', 'checkquorum', 'reads'],
  transfer: ['transfer leadership to'],
} as const satisfies Record<Fault, readonly string[]>;
