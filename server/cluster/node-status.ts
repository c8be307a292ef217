// Asking a node for its `GET /status` (shape: server/contract/node-status.ts). Shared by the
// local cluster runner (waiting for its nodes, `statuses()`), the lab (snapshots, the remote
// and docker backends) and the tests.
import { type NodeStatus, NodeStatusSchema } from '../contract/node-status.ts';
import { parseWire } from '../contract/wire-check.ts';

export type { NodeStatus };

export const STATUS_TIMEOUT_MS = 600;

/** GET /status; resolves to the status or to a sentence saying why there is none. */
export async function fetchStatus(
  url: string,
  timeoutMs = STATUS_TIMEOUT_MS,
): Promise<{ status: NodeStatus } | { error: string }> {
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return { error: `GET /status answered ${res.status}` };
    }
    const c = parseWire(NodeStatusSchema, await res.json());
    return c.ok ? { status: c.value } : { error: `GET /status did not answer a node status: ${c.detail}` };
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
      return { error: `no answer within ${timeoutMs} ms` };
    return { error: 'connection refused' };
  }
}

/**
 * Asks every node for its /status until each answers (and `problem` finds nothing wrong with the
 * answer), every `intervalMs`; resolves to what is still wrong after `timeoutMs` ms, one line per
 * node ("node3 (http://…): connection refused"), or to [] once all are ready.
 */
export async function untilAnswering<N extends { name: string; url: string }>(
  nodes: readonly N[],
  {
    timeoutMs,
    intervalMs = 250,
    problem = () => null,
  }: { timeoutMs: number; intervalMs?: number; problem?: (status: NodeStatus, node: N) => string | null },
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...nodes];
  for (;;) {
    const why = await Promise.all(
      waiting.map(async (n) => {
        const r = await fetchStatus(n.url, 1000);
        return 'error' in r ? r.error : problem(r.status, n);
      }),
    );
    const still = waiting.flatMap((n, i) => (why[i] === null ? [] : [{ n, why: why[i] }]));
    if (still.length === 0) return [];
    if (Date.now() >= deadline) return still.map(({ n, why }) => `${n.name} (${n.url}): ${why}`);
    waiting = still.map(({ n }) => n);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
