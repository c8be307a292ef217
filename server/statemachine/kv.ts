// The replicated state machine: a key-value map that applies committed log entries in
// order, plus the client sessions that make retries safe (sessions.ts). Deterministic, so
// every replica that applies the same log holds the same map, sessions and answers.

import type { Entry } from '../raft/types.ts';
import { parseCommand } from './command.ts';
import { ClientSessions, type SessionRefusal, sessionNumber } from './sessions.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot.ts';

export interface ApplyResult {
  /** `get`: the value; `set`/`delete`: the previous value; null when there was none (or for a no-op). */
  result: string | null;
  /** Set when the entry's command could not be applied as written; nothing changed. */
  error?: string;
  /** True when this was a retry of an already applied request (§6.3): nothing changed. */
  duplicate?: boolean;
  /** The session refused the request (§6.3: expired session, or a request older than it remembers); nothing changed. */
  refused?: SessionRefusal;
  /** `register`: the new session's client id (the entry's index). */
  clientId?: number;
}

export class KvStateMachine {
  private map = new Map<string, string>();
  private readonly sessions: ClientSessions;
  /** Index of the last entry applied, 0 before any. */
  appliedIndex = 0;

  constructor(sessions = new ClientSessions()) {
    this.sessions = sessions;
  }

  apply(entry: Entry): ApplyResult {
    this.appliedIndex = entry.index;
    if (entry.type === 'noop' || entry.command === null) return { result: null };
    const cmd = parseCommand(entry.command);
    if ('error' in cmd) return { result: null, error: cmd.error };
    const { client_id: rawClient, request_id: rawRequest } = entry;
    if (cmd.op === 'register') {
      if (rawClient !== undefined || rawRequest !== undefined)
        return {
          result: null,
          error: "'register' opens a new session: send it without client_id and request_id",
        };
      this.sessions.register(entry.index);
      return { result: null, clientId: entry.index };
    }
    let session: { clientId: number; sequence: number } | null = null;
    if (rawClient !== undefined || rawRequest !== undefined) {
      const clientId = sessionNumber(rawClient);
      const sequence = sessionNumber(rawRequest);
      if (clientId === null || sequence === null) {
        return {
          result: null,
          error:
            'client_id must be the id "register" gave and request_id a positive sequence number (1, 2, 3, …), both given',
        };
      }
      const seen = this.sessions.check(clientId, sequence);
      if (seen.kind === 'refused') return { result: null, refused: seen.refusal };
      if (seen.kind === 'duplicate') return { result: seen.result, duplicate: true };
      session = { clientId, sequence };
    }
    const result = this.map.get(cmd.key) ?? null;
    if (cmd.op === 'set') this.map.set(cmd.key, cmd.value);
    else if (cmd.op === 'delete') this.map.delete(cmd.key);
    if (session) this.sessions.record(session.clientId, session.sequence, result);
    return { result };
  }

  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  /** A copy of the whole map, keys in sorted order (for /status). */
  kv(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of [...this.map.keys()].sort()) out[key] = this.map.get(key)!;
    return out;
  }

  /**
   * The whole state (map, sessions, appliedIndex) as bytes for a Raft snapshot (paper §7).
   * Deterministic: replicas that applied the same entries produce identical bytes. Format and
   * checks: snapshot.ts.
   */
  snapshot(): Uint8Array {
    return encodeSnapshot({
      appliedIndex: this.appliedIndex,
      kv: [...this.map].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      sessions: this.sessions.toJson(),
    });
  }

  /**
   * Replaces the whole state with a snapshot's. Throws SnapshotError (and changes nothing) if the
   * bytes are damaged, of another version, or describe an impossible state.
   */
  restore(bytes: Uint8Array): void {
    const s = decodeSnapshot(bytes, this.sessions.perClient, this.sessions.maxClients);
    this.map = new Map(s.kv);
    this.sessions.load(s.sessions);
    this.appliedIndex = s.appliedIndex;
  }
}
