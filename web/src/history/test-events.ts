// Node events as the nodes send them, for the history, scene and timeline tests.
import type { ClusterSnapshot, NodeView } from '../../../server/contract/cluster-view.ts';
import type { LossReason, NodeEvent } from '../../../server/contract/node-events.ts';
import type { RpcName } from '../../../server/contract/raft-rpc.ts';
import { runningNode } from '../../../tests/support/node-status.ts';

let seq = 0;
const envelope = (node: string, at: number) => ({ seq: ++seq, at, node_id: node });

export interface Msg {
  rpc?: RpcName;
  id: string;
  from: string;
  to: string;
  term?: number;
  entries?: number;
}

const fields = (m: Msg, kind: 'request' | 'response') => ({
  rpc: m.rpc ?? 'append_entries',
  kind,
  id: m.id,
  from: kind === 'request' ? m.from : m.to,
  to: kind === 'request' ? m.to : m.from,
  term: m.term ?? 1,
  entries: kind === 'request' ? (m.entries ?? 0) : 0,
  heartbeat: (m.rpc ?? 'append_entries') === 'append_entries' && (m.entries ?? 0) === 0,
});

/** An rpc event at `node`: one side of a request or a response going out or coming in. */
const rpc = (
  node: string,
  at: number,
  dir: 'send' | 'recv',
  m: Msg,
  kind: 'request' | 'response',
  result: boolean | null,
): NodeEvent => ({ ...envelope(node, at), type: 'rpc', dir, ...fields(m, kind), result });

/** A request sent by its sender at `at` (with the link's delay). */
export const sent = (m: Msg, at: number, delay_ms?: number): NodeEvent => ({
  ...rpc(m.from, at, 'send', m, 'request', null),
  ...(delay_ms ? { delay_ms } : {}),
});
export const received = (m: Msg, at: number): NodeEvent => rpc(m.to, at, 'recv', m, 'request', null);
export const replied = (m: Msg, at: number, result = true): NodeEvent =>
  rpc(m.to, at, 'send', m, 'response', result);
export const replyReceived = (m: Msg, at: number, result = true): NodeEvent =>
  rpc(m.from, at, 'recv', m, 'response', result);
export const held = (m: Msg, at: number): NodeEvent => ({
  ...envelope(m.from, at),
  type: 'rpc_held',
  ...fields(m, 'request'),
});
export const lost = (m: Msg, at: number, reason: LossReason): NodeEvent => ({
  ...envelope(m.from, at),
  type: 'rpc_lost',
  ...fields(m, 'request'),
  reason,
});
export const state = (
  node: string,
  at: number,
  s: 'follower' | 'candidate' | 'leader',
  term: number,
  leader: string | null = null,
): NodeEvent => ({
  ...envelope(node, at),
  type: 'state',
  state: s,
  term,
  leader_id: leader,
});
export const timer = (
  node: string,
  at: number,
  timeout_ms: number,
  remaining_ms = timeout_ms,
  s: 'running' | 'paused' | 'stopped' = 'running',
): NodeEvent => ({
  ...envelope(node, at),
  type: 'election_timer',
  state: s,
  timeout_ms,
  remaining_ms,
});

/** A status sample of nodes 1..n: node `leader` leads in `term`, everyone up. */
export function sampleAt(at: number, n: number, leader: string | null, term: number): ClusterSnapshot {
  const nodes: NodeView[] = Array.from({ length: n }, (_, i) => {
    const id = String(i + 1);
    const state = id === leader ? 'leader' : 'follower';
    return runningNode({ node_id: id, state, term, leader_id: leader, voted_for: leader });
  });
  return { at, leaderId: leader, term, nodes };
}
