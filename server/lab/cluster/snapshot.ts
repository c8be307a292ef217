// What the cluster looks like right now: every node's /status (or why it has none), plus
// who leads. Used by the live view, the `wait` actions, `{{leader}}` and the checks.
import { fetchStatus, type NodeStatus, STATUS_TIMEOUT_MS } from '../../cluster/node-status.ts';
import type { ClusterSnapshot, NodeView } from '../../contract/cluster-view.ts';
import type { ClusterBackend } from './backend.ts';

/** Reads every node at once. Nodes the backend knows are down or frozen are not asked. */
export async function takeSnapshot(
  backend: ClusterBackend,
  timeoutMs = STATUS_TIMEOUT_MS,
): Promise<ClusterSnapshot> {
  const nodes = await Promise.all(
    backend.nodes().map(async (node): Promise<NodeView> => {
      const state = backend.nodeState(node.id);
      const view: NodeView = { ...node, ...state, status: null, error: null };
      if (!state.up) return { ...view, error: 'down' };
      if (state.paused) return { ...view, error: 'paused' };
      const r = await fetchStatus(node.url, timeoutMs);
      return 'status' in r ? { ...view, status: r.status } : { ...view, error: r.error };
    }),
  );
  return snapshotFromViews(nodes);
}

export function snapshotFromViews(nodes: NodeView[]): ClusterSnapshot {
  const answering = nodes.filter((n) => n.status !== null);
  const leaders = answering
    .filter((n) => n.status!.state === 'leader')
    .sort((a, b) => b.status!.term - a.status!.term);
  return {
    at: Date.now(),
    leaderId: leaders[0]?.id ?? null,
    term: Math.max(0, ...answering.map((n) => n.status!.term)),
    nodes,
  };
}

/** The leader to talk to: the highest-term leader, if it answers. */
export function leaderOf(snapshot: ClusterSnapshot): NodeView | null {
  return snapshot.nodes.find((n) => n.id === snapshot.leaderId) ?? null;
}

/**
 * A leader a majority follows: it leads, and a majority of its configuration's voters (itself included)
 * is in its term, names it leader, and is not cut off from it. A stale leader in a minority
 * partition does not count, even while the others have not noticed yet.
 */
export function settledLeader(snapshot: ClusterSnapshot): NodeView | null {
  const leader = leaderOf(snapshot);
  if (!leader) return null;
  const term = leader.status!.term;
  const followers = snapshot.nodes.filter(
    (n) =>
      n.status &&
      n.status.term === term &&
      (n.id === leader.id || (n.status.leader_id === leader.id && !leader.partitionedFrom.includes(n.id))),
  );
  // Dissertation §4.1: a majority of the voters in the leader's configuration (learners never
  // count); the whole view when the leader does not say (a node from before configurations).
  const voters = leader.status!.voters ?? [];
  if (voters.length === 0)
    return followers.length >= Math.floor(snapshot.nodes.length / 2) + 1 ? leader : null;
  const counted = followers.filter((n) => voters.includes(n.id)).length;
  return counted >= Math.floor(voters.length / 2) + 1 ? leader : null;
}

/** How many nodes say leader in the newest term any node leads in. */
export function leadersInNewestTerm(snapshot: ClusterSnapshot): NodeView[] {
  const leader = leaderOf(snapshot);
  if (!leader) return [];
  return snapshot.nodes.filter((n) => n.status?.state === 'leader' && n.status.term === leader.status!.term);
}

/** The whole log length, even when /status shows only its newest entries. */
export function logLength(status: NodeStatus): number {
  if (typeof status.log_length === 'number') return status.log_length;
  const last = status.log.at(-1);
  return last ? last.index : Math.max(0, (status.log_start ?? 1) - 1);
}

/** The snapshot the browser gets: each log cut to its newest `keep` entries. */
export function trimLogs(snapshot: ClusterSnapshot, keep = 100): ClusterSnapshot {
  return {
    ...snapshot,
    nodes: snapshot.nodes.map((n) => {
      if (!n.status) return n;
      const log = n.status.log.slice(-keep);
      const logStart = log[0]?.index ?? logLength(n.status) + 1;
      return { ...n, status: { ...n.status, log, log_start: logStart, log_length: logLength(n.status) } };
    }),
  };
}

/** One line per node, for messages like "no leader after 10 s: node1 follower t3, node2 down…". */
export function summarize(snapshot: ClusterSnapshot): string {
  return snapshot.nodes
    .map((n) =>
      n.status
        ? `${n.name} ${n.status.state} (term ${n.status.term})`
        : `${n.name} ${n.error ?? 'unreachable'}`,
    )
    .join(', ');
}
