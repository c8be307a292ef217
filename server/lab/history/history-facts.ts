// What a `check` cell can ask about the recorded history since the last reset, to verify what
// the learner did rather than how the cluster looks now: how many held requests were dropped or
// delivered, the most candidates any one term had, how many terms ended in a split vote
// (docs/lesson-format.md, "History checks"). Pure: it reads node events.

import type { NodeEvent } from '../../contract/node-events.ts';
import type { EventCount } from '../../lessons/lesson-types.ts';

type Rpc = Extract<EventCount, { kind: 'dropped' | 'delivered' }>['rpc'];

function isRpc(e: { rpc: string; heartbeat: boolean }, rpc: Rpc): boolean {
  if (rpc === 'any') return true;
  if (rpc === 'heartbeat') return e.heartbeat;
  return e.rpc === rpc;
}

/** Each term's candidates (node ids), from `state` events. */
function candidatesByTerm(events: readonly NodeEvent[]): Map<number, Set<string>> {
  const byTerm = new Map<number, Set<string>>();
  for (const e of events) {
    if (e.type !== 'state' || e.state !== 'candidate') continue;
    const s = byTerm.get(e.term) ?? new Set<string>();
    s.add(e.node_id);
    byTerm.set(e.term, s);
  }
  return byTerm;
}

/** The number a history subject stands for, and where it comes from (for the check's output). */
export function historyFact(
  fact: EventCount,
  events: readonly NodeEvent[],
): { value: number; where: string } {
  switch (fact.kind) {
    case 'dropped': {
      const dropped = events.filter(
        (e) => e.type === 'rpc_lost' && e.reason === 'dropped' && e.kind === 'request' && isRpc(e, fact.rpc),
      );
      const ids = dropped
        .slice(-4)
        .map((e) => (e.type === 'rpc_lost' ? `${e.id} node${e.from}→node${e.to}` : ''));
      return {
        value: dropped.length,
        where: dropped.length ? `dropped: ${ids.join(', ')}` : 'none dropped since the last reset',
      };
    }
    case 'delivered': {
      // A held request that was later sent: the learner delivered it (or released the hold).
      const held = new Set<string>();
      let n = 0;
      for (const e of events) {
        if (e.type === 'rpc_held' && isRpc(e, fact.rpc)) held.add(`${e.node_id}|${e.id}`);
        else if (
          e.type === 'rpc' &&
          e.dir === 'send' &&
          e.kind === 'request' &&
          held.delete(`${e.node_id}|${e.id}`)
        )
          n++;
      }
      return { value: n, where: `${n} held request(s) delivered since the last reset` };
    }
    case 'max-candidates': {
      let best = 0;
      let term = 0;
      for (const [t, s] of candidatesByTerm(events)) {
        if (s.size > best) [best, term] = [s.size, t];
      }
      return {
        value: best,
        where: best === 0 ? 'no candidate since the last reset' : `${best} candidate(s) in term ${term}`,
      };
    }
    case 'split-votes': {
      const leaders = new Set(
        events
          .filter((e) => e.type === 'state' && e.state === 'leader')
          .map((e) => (e.type === 'state' ? e.term : 0)),
      );
      const split = [...candidatesByTerm(events)]
        .filter(([t, s]) => s.size >= 2 && !leaders.has(t))
        .map(([t]) => t);
      return {
        value: split.length,
        where: split.length
          ? `split vote in term ${split.join(', ')}`
          : 'no term with two candidates and no leader',
      };
    }
  }
}
