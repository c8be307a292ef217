// Calls a node's /admin/* fault endpoints (issue 2) with the cluster's admin token.

import type { Static, TSchema } from '@sinclair/typebox';
import { type AdminReply, AdminReplySchema } from '../../contract/admin.ts';
import { matches } from '../../contract/wire-check.ts';

// Generous: a node starved of CPU on a loaded machine answers late, not never; a killed node
// refuses at once and a frozen one is not asked (network-control.ts asks only reachable nodes).
const ADMIN_TIMEOUT_MS = 10_000;

/** POSTs to /admin/<action>; resolves with the node's reply (null if it is not one), throws for people. */
export async function adminPost(
  nodeUrl: string,
  token: string,
  action: string,
  body: unknown = {},
): Promise<AdminReply | null> {
  const res = await adminFetch(nodeUrl, token, action, { method: 'POST', body: JSON.stringify(body) });
  const reply: unknown = await res.json().catch(() => null);
  return matches(AdminReplySchema, reply) ? reply : null;
}

/** GETs /admin/<path> and checks the answer against `schema`. */
export async function adminGet<T extends TSchema>(
  nodeUrl: string,
  token: string,
  path: string,
  schema: T,
): Promise<Static<T>> {
  const res = await adminFetch(nodeUrl, token, path, { method: 'GET' });
  const body: unknown = await res.json().catch(() => null);
  if (!matches(schema, body))
    throw new Error(`${nodeUrl}/admin/${path} answered something the lab does not understand`);
  return body;
}

async function adminFetch(
  nodeUrl: string,
  token: string,
  action: string,
  init: { method: string; body?: string },
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${nodeUrl}/admin/${action}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
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
  return res;
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
