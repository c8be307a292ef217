// Checks everything a client or peer can send before it reaches the Raft core. Each failure
// says which field was wrong and what was expected, so a learner poking the node by hand
// knows what to fix. Plain functions; express only wires them in.

import type { Entry } from '../raft/types.ts';
import { sessionNumber } from '../statemachine/sessions.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

/** Who is in the cluster, so ids in requests can be checked. */
export interface Membership {
  selfId: string;
  memberIds: readonly string[];
}

/** The largest index accepted: any larger number cannot be represented exactly in JSON/JS. */
const MAX_INT = Number.MAX_SAFE_INTEGER;
/**
 * The largest term accepted. A term far ahead is legal Raft (the node adopts it), but each
 * election adds one: this cap leaves 2^52 elections of headroom below MAX_SAFE_INTEGER, so
 * no request can push a node's term past what it can store and compare exactly.
 */
export const MAX_TERM = 2 ** 52;

class Invalid extends Error {}

function obj(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Invalid(`${what} must be a JSON object, got ${describe(body)}`);
  }
  return body as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function nat(o: Record<string, unknown>, field: string, where = '', max = MAX_INT): number {
  const v = o[field];
  if (v === undefined)
    throw new Invalid(`field '${where}${field}' is missing; it must be a non-negative integer`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    const limit = max === MAX_INT ? '2^53-1' : '2^52';
    const kind = typeof v === 'string' ? ' (a string)' : '';
    throw new Invalid(
      `field '${where}${field}' must be a non-negative integer (at most ${limit}), got ${describe(v)}${kind}`,
    );
  }
  return v;
}

const termOf = (o: Record<string, unknown>, field: string, where = '') => nat(o, field, where, MAX_TERM);

function bool(o: Record<string, unknown>, field: string): boolean {
  const v = o[field];
  if (typeof v !== 'boolean') throw new Invalid(`field '${field}' must be true or false, got ${describe(v)}`);
  return v;
}

function member(o: Record<string, unknown>, field: string, m: Membership): string {
  let v = o[field];
  if (typeof v === 'number' && Number.isInteger(v)) v = String(v); // the seed's ids are numbers
  if (typeof v !== 'string' || v === '') {
    throw new Invalid(`field '${field}' must be a node id such as "2", got ${describe(o[field])}`);
  }
  if (v === m.selfId)
    throw new Invalid(`field '${field}' is ${v}, which is this node itself; name another node`);
  if (!m.memberIds.includes(v)) {
    throw new Invalid(
      `field '${field}' is ${describe(v)}, not a member of this cluster (${m.memberIds.join(', ')})`,
    );
  }
  return v;
}

function optString(o: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v !== 'string' || v === '' || v.length > max) {
    throw new Invalid(
      `field '${field}' must be a non-empty string of at most ${max} characters, got ${describe(v)}`,
    );
  }
  return v;
}

/** An optional positive integer (a JSON number or its decimal digits), as a decimal string. */
function optSequence(o: Record<string, unknown>, field: string, what: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? sessionNumber(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new Invalid(`field '${field}' must be a positive integer, ${what}; got ${describe(v)}`);
  }
  return String(n);
}

function run<T>(f: () => T): Checked<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, detail: e.message };
    throw e;
  }
}

export interface RequestVoteBody {
  term: number;
  candidate_id: string;
  last_log_index: number;
  last_log_term: number;
}

export function checkRequestVote(body: unknown, m: Membership): Checked<RequestVoteBody> {
  return run(() => {
    const o = obj(body, 'a request_vote body');
    const v = {
      term: termOf(o, 'term'),
      candidate_id: member(o, 'candidate_id', m),
      last_log_index: nat(o, 'last_log_index'),
      last_log_term: termOf(o, 'last_log_term'),
    };
    if ((v.last_log_index === 0) !== (v.last_log_term === 0)) {
      throw new Invalid(
        `last_log_index ${v.last_log_index} with last_log_term ${v.last_log_term}: both are 0 for an empty log, both above 0 otherwise`,
      );
    }
    if (v.last_log_term > v.term) {
      throw new Invalid(
        `last_log_term (${v.last_log_term}) cannot be above the candidate's term (${v.term})`,
      );
    }
    return v;
  });
}

export interface AppendEntriesBody {
  term: number;
  leader_id: string;
  leader_url?: string;
  prev_log_index: number;
  prev_log_term: number;
  entries: Entry[];
  leader_commit: number;
}

/** `commandError` returns why a command text is not a valid command, or null. */
export function checkAppendEntries(
  body: unknown,
  m: Membership,
  commandError: (text: string) => string | null,
): Checked<AppendEntriesBody> {
  return run(() => {
    const o = obj(body, 'an append_entries body');
    const term = termOf(o, 'term');
    const prevLogIndex = nat(o, 'prev_log_index');
    const prevLogTerm = termOf(o, 'prev_log_term');
    if ((prevLogIndex === 0) !== (prevLogTerm === 0)) {
      throw new Invalid(
        `prev_log_index ${prevLogIndex} with prev_log_term ${prevLogTerm}: both are 0 at the start of the log (there is no entry 0), both above 0 otherwise`,
      );
    }
    if (prevLogTerm > term) {
      throw new Invalid(`prev_log_term (${prevLogTerm}) cannot be above the leader's term (${term})`);
    }
    let leaderUrl: string | undefined;
    if (o.leader_url !== undefined && o.leader_url !== null) {
      if (typeof o.leader_url !== 'string' || !/^https?:\/\/[^\s/]+\/?$/.test(o.leader_url)) {
        throw new Invalid(
          `field 'leader_url' must be an http(s) base URL such as http://localhost:5001, got ${describe(o.leader_url)}`,
        );
      }
      leaderUrl = o.leader_url.replace(/\/$/, '');
    }
    const raw = o.entries ?? [];
    if (!Array.isArray(raw))
      throw new Invalid(`field 'entries' must be an array of entries, got ${describe(raw)}`);
    // Figure 2: a leader's log only holds terms <= its currentTerm, never decreasing, each
    // index following the previous one. Anything else would break the Log Matching Property.
    let lastTerm = prevLogTerm;
    const entries = raw.map((r, i): Entry => {
      const where = `entries[${i}].`;
      const e = obj(r, `entries[${i}]`);
      const index = nat(e, 'index', where);
      if (index !== prevLogIndex + i + 1) {
        throw new Invalid(
          `field '${where}index' must be ${prevLogIndex + i + 1} (prev_log_index + ${i + 1}), got ${index}`,
        );
      }
      const et = termOf(e, 'term', where);
      if (et < 1 || et > term)
        throw new Invalid(`field '${where}term' must be between 1 and the request's term ${term}, got ${et}`);
      if (et < lastTerm) {
        throw new Invalid(
          `field '${where}term' is ${et}, lower than the entry before it (${lastTerm}); terms in a log never decrease`,
        );
      }
      lastTerm = et;
      const type = e.type ?? 'command';
      if (type !== 'command' && type !== 'noop') {
        throw new Invalid(`field '${where}type' must be "command" or "noop", got ${describe(type)}`);
      }
      const entry: Entry = { index, term: et, type, command: null };
      if (type === 'command') {
        if (typeof e.command !== 'string')
          throw new Invalid(
            `field '${where}command' must be a command string such as "set x=42", got ${describe(e.command)}`,
          );
        const why = commandError(e.command);
        if (why !== null) throw new Invalid(`field '${where}command': ${why}`);
        entry.command = e.command;
        const clientId = optString(e, 'client_id', 200);
        const requestId = optString(e, 'request_id', 200);
        if (clientId !== undefined) entry.client_id = clientId;
        if (requestId !== undefined) entry.request_id = requestId;
      } else if (e.command !== undefined && e.command !== null) {
        throw new Invalid(`field '${where}command' must be null for a noop entry`);
      }
      return entry;
    });
    return {
      term,
      leader_id: member(o, 'leader_id', m),
      leader_url: leaderUrl,
      prev_log_index: prevLogIndex,
      prev_log_term: prevLogTerm,
      entries,
      leader_commit: nat(o, 'leader_commit'),
    };
  });
}

export interface ClientCommandBody {
  command: string;
  client_id?: string;
  request_id?: string;
}

export function checkClientCommand(
  body: unknown,
  commandError: (text: string) => string | null,
): Checked<ClientCommandBody> {
  return run(() => {
    const o = obj(body, 'a client_command body');
    if (typeof o.command !== 'string') {
      throw new Invalid(
        `field 'command' must be a string such as "set x=42", "get x" or "delete x", got ${describe(o.command)}`,
      );
    }
    const why = commandError(o.command);
    if (why !== null) throw new Invalid(why);
    const out: ClientCommandBody = { command: o.command };
    // Dissertation §6.3: client_id is the index of the client's `register` entry, request_id its
    // sequence number; the log carries both as decimal strings (statemachine/sessions.ts).
    const clientId = optSequence(o, 'client_id', 'the number "register" answered');
    const requestId = optSequence(
      o,
      'request_id',
      'a sequence number: 1, 2, 3, … (a retry reuses its number)',
    );
    if ((clientId === undefined) !== (requestId === undefined)) {
      throw new Invalid(
        "give both 'client_id' and 'request_id' (they make a retry idempotent), or neither; a client_id comes from the command \"register\"",
      );
    }
    if (clientId !== undefined && /^\s*register\s*$/i.test(o.command)) {
      throw new Invalid("'register' opens a new session: send it without client_id and request_id");
    }
    if (clientId !== undefined) out.client_id = clientId;
    if (requestId !== undefined) out.request_id = requestId;
    return out;
  });
}

export interface RequestVoteReply {
  term: number;
  vote_granted: boolean;
}

export function checkRequestVoteReply(body: unknown): Checked<RequestVoteReply> {
  return run(() => {
    const o = obj(body, 'a request_vote reply');
    return { term: nat(o, 'term'), vote_granted: bool(o, 'vote_granted') };
  });
}

export interface AppendEntriesReply {
  term: number;
  success: boolean;
  match_index: number;
  conflict_index?: number;
  conflict_term?: number;
}

export function checkAppendEntriesReply(body: unknown): Checked<AppendEntriesReply> {
  return run(() => {
    const o = obj(body, 'an append_entries reply');
    const r: AppendEntriesReply = {
      term: nat(o, 'term'),
      success: bool(o, 'success'),
      match_index: nat(o, 'match_index'),
    };
    if (o.conflict_index !== undefined && o.conflict_index !== null)
      r.conflict_index = nat(o, 'conflict_index');
    if (o.conflict_term !== undefined && o.conflict_term !== null) r.conflict_term = nat(o, 'conflict_term');
    return r;
  });
}

/** GET /log?from=N&limit=M */
export function checkLogQuery(query: Record<string, unknown>): Checked<{ from: number; limit: number }> {
  return run(() => {
    const num = (name: string, fallback: number, min: number, max: number) => {
      const v = query[name];
      if (v === undefined) return fallback;
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new Invalid(
          `query parameter '${name}' must be an integer from ${min} to ${max}, got ${describe(v)}`,
        );
      }
      return n;
    };
    return { from: num('from', 1, 1, MAX_INT), limit: num('limit', 100, 1, 1000) };
  });
}

export interface PartitionBody {
  peers: string[];
  direction: 'both' | 'inbound' | 'outbound';
}

/** POST /admin/partition {"peers": ["2","3"], "direction": "both"|"inbound"|"outbound"} */
export function checkPartition(body: unknown, m: Membership): Checked<PartitionBody> {
  return run(() => {
    const o = obj(body, 'a partition body');
    if (!Array.isArray(o.peers) || o.peers.length === 0) {
      throw new Invalid(
        `field 'peers' must be a non-empty array of node ids such as ["2","3"], got ${describe(o.peers)}`,
      );
    }
    const peers = o.peers.map((p, i) => member({ [`peers[${i}]`]: p }, `peers[${i}]`, m));
    const direction = o.direction ?? 'both';
    if (direction !== 'both' && direction !== 'inbound' && direction !== 'outbound') {
      throw new Invalid(
        `field 'direction' must be "both", "inbound" or "outbound", got ${describe(direction)}`,
      );
    }
    return { peers, direction };
  });
}

/** POST /admin/speed {"factor": 0.1} */
export function checkSpeed(body: unknown, min: number, max: number): Checked<number> {
  return run(() => {
    const o = obj(body, 'a speed body');
    const f = o.factor;
    if (typeof f !== 'number' || !Number.isFinite(f) || f < min || f > max) {
      throw new Invalid(
        `field 'factor' must be a number from ${min} to ${max} (1 = normal speed, 0.1 = ten times slower), got ${describe(f)}`,
      );
    }
    return f;
  });
}

/** Body of POST /admin/noop: `{"enabled": false}` turns §8's no-op off (Figure 8 lesson). */
export function checkNoopSwitch(body: unknown): Checked<boolean> {
  return run(() => {
    const e = obj(body, 'a noop body').enabled;
    if (typeof e !== 'boolean') {
      throw new Invalid(
        `field 'enabled' must be true (a new leader appends a no-op, §8) or false (it does not), got ${describe(e)}`,
      );
    }
    return e;
  });
}
