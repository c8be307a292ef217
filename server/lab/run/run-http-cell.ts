// Runs an `http` cell: each request in turn, variables filled in, retried per [Options] until
// its status and asserts pass, captures stored for later cells. Stops at the first failing request.

import type { ClusterNode } from '../../contract/cluster-view.ts';
import type {
  AssertResult,
  CaptureResult,
  HttpCellResult,
  HttpEntryResult,
  ReceivedResponse,
  SentRequest,
} from '../../contract/lab-api.ts';
import type { HttpCell, HttpRequestSpec } from '../../lessons/lesson-types.ts';
import {
  type AttachedSession,
  mayResend,
  ownSession,
  type RequestKind,
  requestKind,
  whyNotResent,
  withSession,
} from './client-session.ts';
import { evaluateAssert, type ResponseFacts, runQuery, testPredicate } from './evaluate-assert.ts';
import { exchange } from './http-exchange.ts';
import { pause, type RunContext, stopIfAsked } from './run-context.ts';
import { CellRunError } from './run-error.ts';
import { shownText } from './shown-text.ts';
import { fillIn, resolveVariables, type VariableScope, type VariableValue } from './variables.ts';

function looksLikeJson(body: string): boolean {
  return /^\s*[{[]/.test(body);
}

function buildRequest(spec: HttpRequestSpec, values: Map<string, VariableValue>): SentRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of spec.headers) headers[name] = fillIn(value, values);
  const body = spec.body === null ? null : fillIn(spec.body, values);
  // As Hurl does: a JSON body is sent as JSON unless the cell says otherwise.
  if (
    body !== null &&
    looksLikeJson(body) &&
    !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
  ) {
    headers['Content-Type'] = 'application/json';
  }
  return { method: spec.method, url: fillIn(spec.url, values), headers, body };
}

/** The checks of one attempt: the expected status, expected headers, then the [Asserts]. */
function judge(
  spec: HttpRequestSpec,
  response: ReceivedResponse,
  values: Map<string, VariableValue>,
  nodes: readonly ClusterNode[],
): AssertResult[] {
  const facts: ResponseFacts = { ...response, body: response.body ?? undefined };
  const results: AssertResult[] = [];
  const shown = (text: string) => shownText(text, values, nodes);
  if (spec.expectStatus !== null) {
    const ok = response.status === spec.expectStatus;
    results.push({
      text: `HTTP ${spec.expectStatus}`,
      ok,
      actual: response.status,
      expected: spec.expectStatus,
      message: ok ? null : `expected status ${spec.expectStatus}, got ${response.status}`,
    });
  }
  for (const [name, value] of spec.expectHeaders) {
    const actual = runQuery({ kind: 'header', arg: name }, [], facts);
    const expected = fillIn(value, values);
    const ok = testPredicate('==', actual, expected);
    results.push({
      text: `${name}: ${value}`,
      shown: shown(`${name}: ${value}`),
      ok,
      actual: actual ?? null,
      expected,
      message: ok
        ? null
        : `expected header ${name}: ${expected}, got ${actual === undefined ? 'no such header' : actual}`,
    });
  }
  for (const a of spec.asserts) results.push({ ...evaluateAssert(a, facts, values), shown: shown(a.text) });
  return results;
}

function capture(spec: HttpRequestSpec, response: ReceivedResponse): CaptureResult[] {
  const facts: ResponseFacts = { ...response, body: response.body ?? undefined };
  return spec.captures.map((c) => {
    const value = runQuery(c.query, c.filters, facts);
    return value === undefined
      ? { name: c.name, value: null, ok: false, message: `\`${c.text}\` found nothing in the response` }
      : { name: c.name, value, ok: true };
  });
}

function scope(ctx: RunContext, extra: Record<string, VariableValue> = {}): VariableScope {
  return { nodes: ctx.backend.nodes(), captured: { ...ctx.captured, ...extra }, snapshot: ctx.snapshot };
}

async function runRequest(spec: HttpRequestSpec, ctx: RunContext): Promise<HttpEntryResult> {
  const entry: HttpEntryResult = {
    request: null,
    hops: [],
    response: null,
    attempts: 0,
    asserts: [],
    captures: [],
    ok: false,
    error: null,
  };
  const o = spec.options;
  if (o.delayMs > 0) await pause(o.delayMs, ctx.signal);
  let kind: RequestKind | null = null;
  let session: AttachedSession | null = null;
  for (let attempt = 1; attempt <= o.retry + 1; attempt++) {
    entry.attempts = attempt;
    let sent = false;
    if (attempt > 1) {
      ctx.progress({ attempt, detail: `retry ${attempt - 1} of ${o.retry}` });
      await pause(o.retryIntervalMs, ctx.signal);
    }
    try {
      // {{leader}} is looked up again on every attempt: the leader may change while we retry.
      // Safe for a write too: it carries the same client session ids to whichever node leads.
      const texts = [spec.url, spec.body ?? '', ...spec.headers.map(([, v]) => v)];
      const values = await resolveVariables(texts, scope(ctx));
      let request = buildRequest(spec, values);
      kind ??= requestKind(request);
      if (kind === 'write') {
        session ??= ownSession(request);
        if (session === null && o.retry > 0)
          session = await ctx.clientSession.attach(request, ctx.guard, o.timeoutMs, ctx.signal);
        if (session?.by === 'lab') request = withSession(request, session);
      }
      entry.request = request;
      entry.session = session;
      stopIfAsked(ctx.signal);
      entry.response = null;
      sent = true;
      const { hops, response } = await exchange(request, { ...o, signal: ctx.signal }, ctx.guard);
      entry.hops = hops;
      entry.response = response;
      entry.error = null;
      ctx.clientSession.noteAnswer(response);
      await ctx.requestSent?.({ method: request.method, url: request.url, status: response.status });
      entry.captures = capture(spec, response);
      const withCaptures = new Map(values);
      for (const c of entry.captures) if (c.ok) withCaptures.set(c.name, c.value);
      // Asserts may use any variable, also ones the cell does not mention in its request.
      const assertVars = await resolveVariables(
        spec.asserts.flatMap((a) => (a.value?.kind === 'variable' ? [`{{${a.value.name}}}`] : [])),
        scope(ctx, Object.fromEntries(withCaptures)),
      );
      for (const [k, v] of assertVars) withCaptures.set(k, v);
      entry.asserts = judge(spec, response, withCaptures, ctx.backend.nodes());
      entry.ok = entry.asserts.every((a) => a.ok) && entry.captures.every((c) => c.ok);
    } catch (e) {
      if (!(e instanceof CellRunError)) throw e;
      entry.error = e.atLine(spec.lineIndex).toInfo();
      entry.ok = false;
      // A mistake in the cell itself (unknown variable, foreign host) will not fix itself.
      if (!e.transient) break;
      if (sent)
        await ctx.requestSent?.({ method: entry.request!.method, url: entry.request!.url, status: null });
    }
    if (entry.ok) break;
    // Never repeat behind the learner's back what may have changed the cluster (client-session.ts).
    // (An attempt that sent nothing, e.g. while no leader was known, may always be tried again.)
    if (sent && kind !== null && attempt <= o.retry && !mayResend(kind, entry.response, session)) {
      entry.notResent = whyNotResent(kind, entry.response);
      break;
    }
  }
  for (const c of entry.captures) if (c.ok) ctx.captured[c.name] = c.value;
  return entry;
}

export async function runHttpCell(cell: HttpCell, ctx: RunContext): Promise<HttpCellResult> {
  const entries: HttpEntryResult[] = [];
  for (const spec of cell.requests) {
    const entry = await runRequest(spec, ctx);
    entries.push(entry);
    if (!entry.ok) break;
  }
  return { entries };
}
