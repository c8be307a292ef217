// Client sessions (Ongaro's dissertation §6.3, Figure 6.1): what makes a retried command
// apply at most once. The design, and why:
//
// - A client opens a session with the command `register`. It goes through the log like any
//   command, and the index of its entry becomes the client id (as in the dissertation). Ids are
//   therefore unique forever and chosen by the log, not by the client: an id this state machine
//   does not know is a session that expired (or never existed), never a new client. That settles
//   the one case a client-chosen id cannot: an evicted client retrying its very first request
//   looks exactly like a new client sending its first one.
// - Each request carries a sequence number (`request_id`: 1, 2, 3, …; a retry reuses its
//   number). A session remembers the results of its latest RESULTS_PER_CLIENT requests and a
//   `floor`: every number at or below it is forgotten. A request at or below the floor may have
//   been applied already, so it is refused (`request_expired`), never applied again.
// - At most MAX_CLIENTS sessions are kept; registering one more evicts the least recently active
//   (`session_expired` from then on). Eviction depends only on the order of applied entries
//   (no clocks), so every replica evicts the same session at the same index.
//
// Refusing is "fail closed": a refused request is never applied, but its earlier attempts may
// have been, so the client learns the outcome by reading (`get`), as after any unknown outcome.

export const RESULTS_PER_CLIENT = 16;
export const MAX_CLIENTS = 10_000;

/**
 * A client_id or request_id as text (the log carries both as decimal strings): the number, or
 * null if the text is not a positive safe integer written plainly.
 */
export function sessionNumber(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

type Result = string | null;

export interface SessionRefusal {
  code: 'session_expired' | 'request_expired';
  detail: string;
}

export type SessionCheck =
  | { kind: 'new' }
  | { kind: 'duplicate'; result: Result }
  | { kind: 'refused'; refusal: SessionRefusal };

/** A session as it is written into a snapshot: `[client_id, floor, [[sequence, result], …]]`. */
export type SessionJson = [number, number, [number, Result][]];

interface Session {
  /** Sequence numbers <= floor are forgotten: refused, never applied. */
  floor: number;
  /** Results of the applied requests above the floor, by sequence number. */
  results: Map<number, Result>;
}

export class ClientSessions {
  /** client id → session, least recently active first (a Map keeps insertion order). */
  private clients = new Map<number, Session>();

  constructor(
    readonly perClient = RESULTS_PER_CLIENT,
    readonly maxClients = MAX_CLIENTS,
  ) {}

  /** Opens a session for `clientId` (the index of its `register` entry), evicting the least recently active one if full. */
  register(clientId: number): void {
    if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value!);
    this.clients.set(clientId, { floor: 0, results: new Map() });
  }

  /** Whether request `sequence` of `clientId` is new, a retry with a remembered result, or refused. */
  check(clientId: number, sequence: number): SessionCheck {
    const s = this.clients.get(clientId);
    if (!s) {
      return {
        kind: 'refused',
        refusal: {
          code: 'session_expired',
          detail:
            `client session ${clientId} is unknown: it expired (the cluster keeps the ${this.maxClients} most recently ` +
            'active sessions) or was never opened. Nothing was applied. Open a new session (command "register") and ' +
            'use its client_id; whether your unanswered requests took effect, only reading the keys can tell',
        },
      };
    }
    if (sequence <= s.floor) {
      return {
        kind: 'refused',
        refusal: {
          code: 'request_expired',
          detail:
            `request ${sequence} of client ${clientId} is too old: the session only remembers requests above ` +
            `${s.floor} (the last ${this.perClient} results). It may have been applied before, so it is not applied ` +
            'again. A new command needs a new, higher request_id; read the key (get) to learn whether the old one took effect',
        },
      };
    }
    this.touch(clientId, s);
    return s.results.has(sequence)
      ? { kind: 'duplicate', result: s.results.get(sequence)! }
      : { kind: 'new' };
  }

  /** Remembers the result of a newly applied request (after check() said 'new'). */
  record(clientId: number, sequence: number, result: Result): void {
    const s = this.clients.get(clientId);
    if (!s) return;
    s.results.set(sequence, result);
    if (s.results.size > this.perClient) {
      // Forget the lowest number and raise the floor to it: every request the session still
      // answers for is above the floor, so nothing forgotten can slip through as new.
      const lowest = Math.min(...s.results.keys());
      s.results.delete(lowest);
      s.floor = Math.max(s.floor, lowest);
    }
  }

  clientCount(): number {
    return this.clients.size;
  }

  /** Every session, least recently active first, results by sequence number (deterministic). */
  toJson(): SessionJson[] {
    return [...this.clients].map(([id, s]) => [id, s.floor, [...s.results].sort((a, b) => a[0] - b[0])]);
  }

  /** Replaces every session with `sessions` (as toJson() wrote them; checked by the caller). */
  load(sessions: SessionJson[]): void {
    this.clients = new Map(
      sessions.map(([id, floor, results]) => [id, { floor, results: new Map(results) }] as const),
    );
  }

  private touch(clientId: number, s: Session): void {
    this.clients.delete(clientId);
    this.clients.set(clientId, s);
  }
}
