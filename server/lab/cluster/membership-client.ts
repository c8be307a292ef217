// The lab's side of a leader's membership endpoints (dissertation §4.1; docs/node-api.md): one
// change through POST /admin/<action>, retried while the leader says "not yet" (its own-term
// entry is not committed, the previous change is still in flight, or the learner is behind).

const RETRYABLE = new Set(['no_commit_in_term', 'change_in_progress', 'learner_behind', 'timeout']);
const RETRY_MS = 250;

/** POSTs `body` to `<leaderUrl>/admin/<action>` until it succeeds or `timeoutMs` passes; throws a sentence for people. */
export async function membershipChange(
  leaderUrl: string,
  token: string,
  action: 'add_learner' | 'promote' | 'remove' | 'snapshot',
  body: unknown,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    let status = 0;
    let reply: Record<string, unknown> = {};
    try {
      const res = await fetch(`${leaderUrl}/admin/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
      });
      status = res.status;
      reply = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    } catch (e) {
      last = `${leaderUrl}/admin/${action} did not answer (${(e as Error).message})`;
    }
    if (status === 200) return reply;
    if (status !== 0) last = `${action} answered ${status}: ${String(reply.detail ?? reply.error ?? '')}`;
    if ((status !== 0 && !RETRYABLE.has(String(reply.error))) || Date.now() >= deadline)
      throw new Error(last);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
