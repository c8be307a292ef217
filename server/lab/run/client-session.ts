// When the lab may send a learner's request again, and how it makes a write safe to repeat.
// The one home of that rule (issue 11: requests are never repeated behind the learner's back).
//
// - Reads (GET, HEAD, a `get` command) and Raft's own RPCs (request_vote, append_entries: "Raft
//   RPCs are idempotent", §5.5) may be re-sent as often as `retry` says.
// - A write (`set`, `delete` …) is re-sent only with a client session attached, so the cluster
//   applies it at most once however often it arrives (dissertation §6.3), and only while its
//   outcome is unknown (no answer, a redirect, a 503). Once a node has answered 2xx or 4xx the
//   write happened (or was refused) and is never sent again: a failing assert is reported once.
// - `register` (opening a session, §6.3) is re-sent only while its outcome is unknown, and never
//   with a session of the lab's attached (a node refuses that): a repeat of a lost `register` opens
//   one more session, which the cluster expires; no key changes.
// - Anything else that is not a read is sent once.
//
// The session: nodes that know the command `register` (dissertation §6.3: the index of the
// register entry becomes the client id, request ids count 1, 2, 3…; a forgotten session is
// answered 410 `session_expired`) get one registered session; older nodes take a client id
// the lab makes up. Either way the output shows the ids the lab added.

import { NOT_APPLIED_ERRORS } from '../../contract/client-command.ts';
import type { ReceivedResponse, SentRequest } from '../../contract/lab-api.ts';
import type { HostGuard } from './host-guard.ts';
import { exchange } from './http-exchange.ts';
import { CellRunError } from './run-error.ts';

export type RequestKind = 'read' | 'rpc' | 'write' | 'register' | 'other';

/** What the lab added to a write so that repeating it is harmless (shown in the output). */
export interface AttachedSession {
  clientId: string | number;
  requestId: string | number;
  /** The `register` entry that opened the session, when this request opened it. */
  opened: { index: number | null } | null;
  /** Who chose the ids: the learner (in the body) or the lab. */
  by: 'learner' | 'lab';
}

const RAFT_RPCS = new Set(['/request_vote', '/append_entries']);
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function jsonBody(body: string | null): Record<string, unknown> | null {
  if (body === null) return null;
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What repeating this request could do; decides whether `retry` may re-send it. */
export function requestKind(request: Pick<SentRequest, 'method' | 'url' | 'body'>): RequestKind {
  if (READ_METHODS.has(request.method)) return 'read';
  let path = '';
  try {
    path = new URL(request.url).pathname.replace(/\/+$/, '');
  } catch {
    return 'other';
  }
  if (request.method === 'POST' && RAFT_RPCS.has(path)) return 'rpc';
  if (request.method === 'POST' && path === '/client_command') {
    const command = jsonBody(request.body)?.command;
    if (typeof command === 'string' && /^\s*get\s/i.test(command)) return 'read';
    if (typeof command === 'string' && /^\s*register\s*$/i.test(command)) return 'register';
    return 'write';
  }
  return 'other';
}

/** The ids the learner wrote into a /client_command body themselves, if any. */
export function ownSession(request: SentRequest): AttachedSession | null {
  const body = jsonBody(request.body);
  const clientId = body?.client_id;
  const requestId = body?.request_id;
  if ((typeof clientId !== 'string' && typeof clientId !== 'number') || requestId === undefined) return null;
  return { clientId, requestId: requestId as string | number, opened: null, by: 'learner' };
}

/**
 * May the lab send this request again after `response` (null: no answer at all)? Writes only
 * while their outcome is unknown, and only with a session attached.
 */
export function mayResend(
  kind: RequestKind,
  response: ReceivedResponse | null,
  session: AttachedSession | null,
): boolean {
  if (kind === 'read' || kind === 'rpc') return true;
  if (kind === 'write' && notApplied(response)) return true;
  if (kind === 'other' || (kind === 'write' && session === null)) return false;
  if (response === null) return true; // no answer: applied or not, the session makes a resend safe
  if (response.status === 410) return false; // the session is gone: resending could apply it twice
  return response.status >= 300 && response.status < 400 ? true : response.status >= 500;
}

/** The node said the command was not applied (a 307 redirect, or a refusal like `no_leader`): resending cannot apply it twice. */
function notApplied(response: ReceivedResponse | null): boolean {
  if (response === null) return false;
  if (response.status >= 300 && response.status < 400) return true;
  const error = (response.body as { error?: unknown } | null)?.error;
  return response.status === 503 && NOT_APPLIED_ERRORS.some((e) => e === error);
}

/** Why a request was not re-sent although the cell asked for retries (for the output). */
export function whyNotResent(kind: RequestKind, response: ReceivedResponse | null): string {
  if (kind === 'other')
    return 'not sent again: the lab only repeats reads, Raft RPCs and commands it can make safe to repeat';
  if (response?.status === 410)
    return 'not sent again: the client session is gone (410), so a resend might apply the command twice; read the key to learn whether it took effect';
  const status = response?.status ?? 0;
  return status >= 200 && status < 300
    ? `not sent again: the node answered ${status}, so the command was applied, once; sending it again would add it to the log a second time (§8)`
    : `not sent again: the node answered ${status}, so the command was refused and sending it again would be refused too`;
}

/** Puts the session's ids into a /client_command body. */
export function withSession(request: SentRequest, s: AttachedSession): SentRequest {
  const body = { ...(jsonBody(request.body) ?? {}), client_id: s.clientId, request_id: s.requestId };
  return { ...request, body: JSON.stringify(body) };
}

/** The lab's own client session with the cluster, one per cluster session; forgotten on reset. */
export class LabClientSession {
  private clientId: string | number | null = null;
  private nextRequest = 1;
  private registered = false;

  /** After a reset (or a 410): the cluster no longer knows the session. */
  forget(): void {
    this.clientId = null;
    this.registered = false;
  }

  /** Notes an answer: 410 `session_expired` means the session must be opened again. */
  noteAnswer(response: ReceivedResponse | null): void {
    const error = (response?.body as { error?: unknown } | null)?.error;
    if (response?.status === 410 && error === 'session_expired') this.forget();
  }

  /**
   * A session for one write: its client id and a new request id. Opens the session first when
   * there is none (a `register` command through `request`'s node, redirects followed). Throws a
   * transient CellRunError when the cluster cannot open one now (no leader): nothing was sent.
   */
  async attach(
    request: SentRequest,
    guard: HostGuard,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<AttachedSession> {
    let opened: AttachedSession['opened'] = null;
    if (this.clientId === null) opened = await this.open(request, guard, timeoutMs, signal);
    const requestId = this.registered ? this.nextRequest++ : String(this.nextRequest++);
    return { clientId: this.clientId!, requestId, opened, by: 'lab' };
  }

  private async open(
    request: SentRequest,
    guard: HostGuard,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<AttachedSession['opened']> {
    const register: SentRequest = {
      method: 'POST',
      url: new URL('/client_command', request.url).href,
      headers: { 'Content-Type': 'application/json' },
      body: '{"command": "register"}',
    };
    const { response } = await exchange(
      register,
      { location: true, maxRedirs: 10, timeoutMs, signal },
      guard,
    );
    const answer = response.body as {
      success?: unknown;
      client_id?: unknown;
      index?: unknown;
      detail?: unknown;
    };
    if (response.status === 200 && typeof answer?.client_id === 'number') {
      this.clientId = answer.client_id;
      this.registered = true;
      this.nextRequest = 1;
      return { index: typeof answer.index === 'number' ? answer.index : null };
    }
    if (response.status === 400 && /register/.test(String(answer?.detail ?? ''))) {
      // Nodes without registration take any client id: one the lab makes up, unique per session.
      this.clientId = `lab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      this.registered = false;
      return null;
    }
    throw CellRunError.transient(
      `the lab could not open a client session to make this command safe to retry (register answered ${response.status})`,
      'Nothing was sent yet. The cluster may be electing a leader: the lab tries again on the next retry.',
    );
  }
}
