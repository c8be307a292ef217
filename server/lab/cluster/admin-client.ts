// Calls a node's /admin/* fault endpoints (issue 2) with the cluster's admin token.

import type { Static, TSchema } from '@sinclair/typebox';
import { type AdminReply, AdminReplySchema } from '../../contract/admin.ts';
import { matches } from '../../contract/wire-check.ts';

// Generous: a node starved of CPU on a loaded machine answers late, not never; a killed node
// refuses at once and a frozen one is not asked (network-control.ts asks only reachable nodes).
const ADMIN_TIMEOUT_MS = 10_000;

/** POSTs to /admin/<action>; resolves with the node's reply (null if it is not one), throws one sentence otherwise. */
export async function adminPost(
  nodeUrl: string,
  token: string,
  action: string,
  body: unknown = {},
  timeoutMs = ADMIN_TIMEOUT_MS,
): Promise<AdminReply | null> {
  const res = await adminFetch(
    nodeUrl,
    token,
    action,
    { method: 'POST', body: JSON.stringify(body) },
    timeoutMs,
  );
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
  timeoutMs = ADMIN_TIMEOUT_MS,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${nodeUrl}/admin/${action}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
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
    throw new Error(`${nodeUrl}/admin/${action} answered ${res.status}${hint} ${detailOf(text)}`);
  }
  return res;
}

/** A refusal's `detail` sentence (server/contract/errors.ts), else the start of the body. */
function detailOf(text: string): string {
  try {
    const d = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof d === 'string') return `: ${d}`;
  } catch {
    // not JSON: show it as it came
  }
  return text.slice(0, 300);
}

/**
 * Dissertation §3.10: asks the leader at `leaderUrl` to hand over to node `to`; resolves with
 * its sentence once `to` leads (the node answers within three election timeouts).
 */
export async function transferLeadership(leaderUrl: string, token: string, to: string): Promise<string> {
  const res = await adminFetch(
    leaderUrl,
    token,
    'transfer_leadership',
    { method: 'POST', body: JSON.stringify({ to }) },
    30_000,
  );
  const reply = (await res.json().catch(() => null)) as { detail?: unknown } | null;
  return typeof reply?.detail === 'string' ? reply.detail : `node ${to} leads`;
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

/**
 * Resets the nodes that answer in place (POST /admin/reset, each in milliseconds instead of a
 * new process): every one comes back isolated, and only once all of them are fresh are they
 * healed, so no node still holding the old cluster's term or log can reach a fresh one. Returns
 * the nodes that did not answer (down, or too old to know /admin/reset): the backend restarts
 * those as fresh processes, or says it cannot.
 */
export async function resetInPlace(
  nodes: readonly { id: string; url: string }[],
  token: string,
): Promise<{ failed: { id: string; why: string }[]; heal: () => Promise<void> }> {
  const failed: { id: string; why: string }[] = [];
  const fresh: { id: string; url: string }[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      try {
        await adminPost(n.url, token, 'reset', { isolated: true });
        fresh.push(n);
      } catch (e) {
        failed.push({ id: n.id, why: (e as Error).message });
      }
    }),
  );
  return {
    failed,
    heal: async () => {
      await Promise.all(fresh.map((n) => adminPost(n.url, token, 'heal')));
    },
  };
}
