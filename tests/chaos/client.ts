// A fault-test client: runs set (unique values), get and delete on a few keys through
// /client_command, as a careful client would — it opens a session (`register`), numbers its
// writes, follows 307 redirects to the leader, gives up on a request after a timeout, and
// retries an operation whose outcome is unknown with the same client_id and request_id, so
// the cluster applies it at most once (dissertation §6.3). Every operation lands in the
// history with its times and outcome.

import type { Prng } from '../../server/raft/simulation/prng.ts';
import type { Attempt, HistoryOp, OpKind, Outcome } from './history.ts';

export interface ClientOptions {
  /** Node base URLs. */
  urls: string[];
  /** Milliseconds since the run started. */
  now: () => number;
  /** One HTTP request is abandoned (outcome unknown) after this long. */
  requestTimeoutMs: number;
  /** An operation is retried until this long after it was invoked. */
  opDeadlineMs: number;
}

export interface Answer {
  attempt: Attempt;
  body: Record<string, unknown> | null;
  location: string | null;
}

/** Which answers prove the command did not take effect (it was never proposed, or its entry lost). */
const FAILED_FOR_SURE = new Set([
  'not_leader',
  'no_leader',
  'disk_full',
  'overwritten',
  'bad_request',
  'bad_json',
]);

/** One POST /client_command; classifies the answer as ok, failed for sure, or unknown. */
export async function sendCommand(
  baseUrl: string,
  body: Record<string, unknown>,
  timeoutMs: number,
  at: number,
): Promise<Answer> {
  const node = baseUrl.replace(/^https?:\/\//, '');
  try {
    const res = await fetch(`${baseUrl}/client_command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const parsed = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    const error = typeof parsed?.error === 'string' ? parsed.error : undefined;
    let verdict: Outcome;
    if (res.status === 200 && parsed?.success === true) verdict = 'ok';
    else if (res.status === 307 || (error !== undefined && FAILED_FOR_SURE.has(error))) verdict = 'failed';
    // session_expired / request_expired: this request was not applied, but an earlier attempt may have been.
    else if (res.status === 410) verdict = 'failed';
    else verdict = 'unknown'; // timeout, shutting_down, anything unexpected
    return {
      attempt: { node, at, status: res.status, ...(error ? { error } : {}), verdict },
      body: parsed,
      location: res.headers.get('location'),
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const code = err.cause?.code ?? err.name;
    // A refused connection never reached a node; anything else may have been read by it.
    const verdict: Outcome = code === 'ECONNREFUSED' ? 'failed' : 'unknown';
    return { attempt: { node, at, status: 0, error: code, verdict }, body: null, location: null };
  }
}

export class ChaosClient {
  private session: { clientId: number; next: number } | null = null;
  private leader: string | null = null;
  private written = 0;
  /** Harness errors (400s): the test, not the cluster, is wrong. */
  readonly problems: string[] = [];

  constructor(
    readonly name: string,
    private readonly opts: ClientOptions,
    private readonly rng: Prng,
    private readonly history: HistoryOp[],
    private readonly keys: string[],
  ) {}

  /** Runs random operations until `stop()` says so. */
  async run(stop: () => boolean): Promise<void> {
    while (!stop()) {
      const roll = this.rng.next();
      const key = this.rng.pick(this.keys);
      if (roll < 0.45) await this.perform('set', key);
      else if (roll < 0.88) await this.perform('get', key);
      else await this.perform('delete', key);
    }
  }

  /** One operation, retried until it has a definite outcome or its deadline passes. */
  async perform(kind: OpKind, key: string): Promise<HistoryOp> {
    const writes = kind !== 'get';
    if (writes && this.session === null) await this.register();
    const op: HistoryOp = {
      id: this.history.length,
      client: this.name,
      kind,
      key,
      invokedAt: this.opts.now(),
      completedAt: null,
      outcome: 'unknown',
      attempts: [],
    };
    if (kind === 'set') op.value = `${this.name}-${++this.written}`;
    const command = kind === 'set' ? `set ${key}=${op.value}` : `${kind} ${key}`;
    const body: Record<string, unknown> = { command };
    if (writes && this.session) {
      op.session = { clientId: this.session.clientId, sequence: this.session.next++ };
      body.client_id = op.session.clientId;
      body.request_id = op.session.sequence;
    }
    this.history.push(op);
    // Without a session a retry could apply the write twice: then it gets one attempt only.
    const retries = !writes || op.session !== undefined;
    while (this.opts.now() - op.invokedAt < this.opts.opDeadlineMs) {
      const a = await this.send(body);
      op.attempts.push(a.attempt);
      if (a.attempt.verdict === 'ok') {
        op.outcome = 'ok';
        op.completedAt = this.opts.now();
        op.result = (a.body!.result as string | null) ?? null;
        op.index = a.body!.index as number;
        if (a.body!.duplicate === true) op.duplicate = true;
        if (typeof a.body!.read === 'string') op.read = a.body!.read;
        return op;
      }
      const error = a.attempt.error;
      if (a.attempt.status === 410) {
        if (error === 'session_expired') this.session = null;
        break;
      }
      if (a.attempt.status === 400) {
        this.problems.push(`${command}: 400 ${JSON.stringify(a.body)}`);
        break;
      }
      if (!retries) break;
      this.leader = null;
      await pause(20 + this.rng.int(0, 150));
    }
    const unsure = op.attempts.some((x) => x.verdict === 'unknown');
    op.outcome = unsure ? 'unknown' : 'failed';
    if (!unsure) op.completedAt = this.opts.now();
    return op;
  }

  /** Opens a session; its client id is the index of the `register` entry (§6.3). */
  private async register(): Promise<void> {
    const started = this.opts.now();
    while (this.opts.now() - started < this.opts.opDeadlineMs) {
      const a = await this.send({ command: 'register' });
      if (a.attempt.verdict === 'ok' && typeof a.body?.client_id === 'number') {
        this.session = { clientId: a.body.client_id, next: 1 };
        return;
      }
      this.leader = null;
      await pause(20 + this.rng.int(0, 150));
    }
  }

  /**
   * Sends to the node believed to lead — or, now and then, to any node, as clients that do not
   * share a leader hint do — following up to 3 redirects.
   */
  private async send(body: Record<string, unknown>): Promise<Answer> {
    let url = this.leader !== null && this.rng.chance(0.7) ? this.leader : this.rng.pick(this.opts.urls);
    for (let hop = 0; ; hop++) {
      const a = await sendCommand(url, body, this.opts.requestTimeoutMs, this.opts.now());
      if (a.attempt.status === 307 && a.location && hop < 3) {
        url = a.location.replace(/\/client_command$/, '');
        this.leader = url;
        continue;
      }
      if (a.attempt.verdict === 'ok') this.leader = url;
      return a;
    }
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
