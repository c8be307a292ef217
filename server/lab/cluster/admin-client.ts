// Calls a node's /admin/* fault endpoints (issue 2) with the cluster's admin token.

const ADMIN_TIMEOUT_MS = 3000;

export async function adminPost(
  nodeUrl: string,
  token: string,
  action: string,
  body: unknown = {},
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${nodeUrl}/admin/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
    });
  } catch (e) {
    throw new Error(`${nodeUrl}/admin/${action} did not answer (${(e as Error).message}); is the node up?`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const hint =
      res.status === 401 || res.status === 403
        ? ": the admin token is wrong (give the nodes' ADMIN_TOKEN with --admin-token)"
        : res.status === 404
          ? ': the node has no /admin endpoints (start it with ADMIN_TOKEN set)'
          : '';
    throw new Error(`${nodeUrl}/admin/${action} answered ${res.status}${hint} ${text.slice(0, 300)}`);
  }
  await res.body?.cancel();
}

/** For a partition into `groups`: the peers each node must cut (everyone outside its group). */
export function cutsFor(ids: string[], groups: string[][]): Map<string, string[]> {
  const cuts = new Map<string, string[]>();
  for (const id of ids) {
    const mine = groups.find((g) => g.includes(id)) ?? [id];
    cuts.set(
      id,
      ids.filter((other) => other !== id && !mine.includes(other)),
    );
  }
  return cuts;
}
