// Which held requests a `deliver`/`drop`/`highlight` line means (docs/lesson-format.md):
// `next` is the oldest that matches, `all` every match, or one message by its id. Pure.
import type { HeldOnNode } from './network-control.ts';

/** A selector with its nodes already resolved to ids. */
export interface ResolvedSelector {
  rpc?: 'request_vote' | 'pre_vote' | 'append_entries' | 'timeout_now' | 'heartbeat';
  from?: string;
  to?: string;
}

export type ResolvedPick = { which: 'next' | 'all'; select: ResolvedSelector } | { which: 'id'; id: string };

function matches(m: HeldOnNode, s: ResolvedSelector): boolean {
  if (s.rpc === 'heartbeat' ? !m.heartbeat : s.rpc !== undefined && m.rpc !== s.rpc) return false;
  return (s.from === undefined || m.from === s.from) && (s.to === undefined || m.to === s.to);
}

/** The held requests `pick` names, oldest first (`held` is oldest first). */
export function pickHeld(held: readonly HeldOnNode[], pick: ResolvedPick): HeldOnNode[] {
  if (pick.which === 'id') return held.filter((m) => m.id === pick.id);
  const all = held.filter((m) => matches(m, pick.select));
  return pick.which === 'next' ? all.slice(0, 1) : all;
}

/** "request_vote from node3 to node2" — what a selector asks for, in the lesson's words. */
export function describeSelector(s: ResolvedSelector): string {
  return [
    s.rpc ?? 'message',
    s.from !== undefined ? `from node${s.from}` : '',
    s.to !== undefined ? `to node${s.to}` : '',
  ]
    .filter((w) => w !== '')
    .join(' ');
}

/** "request_vote 3.17 node3→node2 (term 5)" */
export function describeHeld(m: HeldOnNode): string {
  const what = m.heartbeat ? 'heartbeat' : m.rpc;
  const entries = m.entries > 0 ? `, ${m.entries} entr${m.entries === 1 ? 'y' : 'ies'}` : '';
  return `${what} ${m.id} node${m.from}→node${m.to} (term ${m.term}${entries})`;
}
