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
