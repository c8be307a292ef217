// Polling with a deadline: the tests' only way to wait for something to become true
// (never a fixed sleep). The last failure is kept so a timeout says what was last seen.
import { fetchStatus, type NodeStatus } from '../../server/cluster/node-status.ts';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      last = `not yet (${String(v)})`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET a node's /status, or null when it does not answer. */
export async function nodeStatus(baseUrl: string): Promise<NodeStatus | null> {
  const r = await fetchStatus(baseUrl, 2000);
  return 'status' in r ? r.status : null;
}

/** Exactly one node says it is leader, and every answering node agrees on it: its status. */
export async function oneLeader(urls: string[]): Promise<NodeStatus | null> {
  const all = await Promise.all(urls.map(nodeStatus));
  const leaders = all.filter((s) => s?.state === 'leader');
  if (leaders.length !== 1) return null;
  const leader = leaders[0]!;
  const agree = all.every((s) => s === null || s.leader_id === leader.node_id || s.term < leader.term);
  return agree ? leader : null;
}
