// What the container and Deno tests ask a cluster they do not run themselves: a node's /status,
// whether exactly one leader is agreed on, a client command, and how long to wait for slow
// containers.
import { fetchStatus, type NodeStatus } from '../../server/cluster/node-status.ts';
import { type WaitOptions, waitFor } from '../support/wait-for.ts';

/** Containers start, stop and elect slowly: wait up to 30 s, ask every 250 ms, retry refusals. */
const CONTAINER_WAIT: WaitOptions = { timeoutMs: 30_000, intervalMs: 250, retryErrors: true };

/** waitFor with the container defaults (options given still win). */
export const waitForCluster = <T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> => waitFor(what, probe, { ...CONTAINER_WAIT, ...options });

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

/** POSTs `command` (e.g. "set x=1") to a node's /client_command; the answer as it came (15 s at most). */
export function clientCommand(baseUrl: string, command: string): Promise<Response> {
  return fetch(`${baseUrl}/client_command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command }),
    signal: AbortSignal.timeout(15_000),
  });
}
