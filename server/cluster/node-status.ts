// A node's `GET /status`: what it answers and how to ask for it. Shared by the local cluster
// runner (waiting for its nodes, `statuses()`) and the lab (snapshots, the remote backend).

export interface LogEntry {
  index: number;
  term: number;
  type: 'command' | 'noop';
  command: string | null;
}

/** A node's `GET /status` (issue 2). Extra fields pass through untouched. */
export interface NodeStatus {
  node_id: string;
  state: 'follower' | 'candidate' | 'leader';
  term: number;
  voted_for: string | null;
  leader_id: string | null;
  leader_url: string | null;
  commit_index: number;
  last_applied: number;
  log: LogEntry[];
  log_start?: number;
  log_length?: number;
  kv: Record<string, string>;
  peers: unknown[];
  faults?: {
    paused: boolean;
    speed: number;
    cut_inbound: string[];
    cut_outbound: string[];
    noop_on_election?: boolean;
  };
  [field: string]: unknown;
}

export const STATUS_TIMEOUT_MS = 600;

/** GET /status; resolves to the status or to a sentence saying why there is none. */
export async function fetchStatus(
  url: string,
  timeoutMs = STATUS_TIMEOUT_MS,
): Promise<{ status: NodeStatus } | { error: string }> {
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { error: `GET /status answered ${res.status}` };
    const status = (await res.json()) as NodeStatus;
    if (typeof status !== 'object' || status === null || typeof status.term !== 'number') {
      return { error: 'GET /status did not answer a node status' };
    }
    return { status };
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
      return { error: `no answer within ${timeoutMs} ms` };
    return { error: 'connection refused' };
  }
}
