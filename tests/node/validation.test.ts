// What the node accepts from clients and peers (the contract, server/contract/, as the node's
// doors apply it: server/node/request-checks.ts) and how it maps to the core's messages
// (server/node/wire-codec.ts).

import { describe, expect, it } from 'vitest';
import { PartitionSchema } from '../../server/contract/admin.ts';
import { type AppendEntriesBody, AppendEntriesReplySchema } from '../../server/contract/raft-rpc.ts';
import { parseWire } from '../../server/contract/wire-check.ts';
import {
  checkAppendEntries,
  checkClientCommand,
  checkLogQuery,
  checkRequestVote,
} from '../../server/node/request-checks.ts';
import {
  decodeAppendEntries,
  decodeReply,
  decodeRequestVote,
  encodeRequest,
  encodeResponse,
} from '../../server/node/wire-codec.ts';
import { isWellFormed } from '../../server/raft/message-checks.ts';

const m = { selfId: '1', memberIds: ['1', '2', '3', '4', '5'] };
const detail = (r: { ok: boolean; detail?: string }) => (r.ok ? null : r.detail);
const ae = (over: Record<string, unknown> = {}) => ({
  term: 3,
  leader_id: '2',
  prev_log_index: 4,
  prev_log_term: 2,
  entries: [
    { index: 5, term: 2, type: 'command', command: 'set x=1' },
    { index: 6, term: 3, type: 'noop', command: null },
  ],
  leader_commit: 4,
  ...over,
});

describe('request_vote bodies', () => {
  it('accepts a real request and seed-style numeric ids', () => {
    const r = checkRequestVote({ term: 2, candidate_id: 2, last_log_index: 0, last_log_term: 0 }, m, 0);
    expect(r).toEqual({
      ok: true,
      value: { term: 2, candidate_id: 2, last_log_index: 0, last_log_term: 0 },
    });
    // The door accepts the seed's number; the core gets it as text.
    if (r.ok) expect(decodeRequestVote(r.value, '1', 'in1').candidateId).toBe('2');
  });

  it('names the field and the value for negatives, fractions, strings, missing fields and huge numbers', () => {
    const base = { term: 2, candidate_id: '2', last_log_index: 0, last_log_term: 0 };
    expect(detail(checkRequestVote({ ...base, term: -3 }, m, 0))).toBe(
      "field 'term' must be a non-negative integer (at most 2^53-1), got -3",
    );
    expect(detail(checkRequestVote({ ...base, term: 1.5 }, m, 0))).toContain("'term'");
    expect(detail(checkRequestVote({ ...base, term: '2' }, m, 0))).toContain('(a string)');
    expect(detail(checkRequestVote({ ...base, last_log_index: 2 ** 60 }, m, 0))).toContain('at most 2^53-1');
    expect(detail(checkRequestVote({ term: 2, candidate_id: '2' }, m, 0))).toBe(
      "field 'last_log_index' is missing; it must be a non-negative integer (at most 2^53-1)",
    );
    expect(detail(checkRequestVote([1], m, 0))).toBe(
      'a request_vote body must be a JSON object, got an array',
    );
  });

  it('accepts a term far ahead (legal Raft) but rejects unknown candidates and this node itself', () => {
    const far = { term: 2 ** 32, candidate_id: '2', last_log_index: 0, last_log_term: 0 };
    expect(checkRequestVote(far, m, 0).ok).toBe(true);
    // One request must not push the node's term towards 2^53, where elections stop counting.
    expect(detail(checkRequestVote({ ...far, term: 2 ** 32 + 1 }, m, 0))).toBe(
      "field 'term' is 4294967297, more than 2^32 above this node's term 0; no real peer is that far ahead (send at most 4294967296)",
    );
    expect(checkRequestVote({ ...far, term: 2 ** 52 }, m, 2 ** 52 - 5).ok).toBe(true);
    expect(detail(checkAppendEntries(ae({ term: 2 ** 52 }), m, 3))).toContain('more than 2^32 above');
    expect(
      detail(checkRequestVote({ term: 2, candidate_id: '9', last_log_index: 0, last_log_term: 0 }, m, 0)),
    ).toContain('not a member of this cluster (1, 2, 3, 4, 5)');
    expect(
      detail(checkRequestVote({ term: 2, candidate_id: '1', last_log_index: 0, last_log_term: 0 }, m, 0)),
    ).toContain('this node itself');
  });
});

describe('append_entries bodies', () => {
  it('accepts a well-formed request that the core also considers well-formed', () => {
    const r = checkAppendEntries(ae(), m, 0);
    expect(r.ok).toBe(true);
    if (r.ok) expect(isWellFormed(decodeAppendEntries(r.value, '1', 'in1'))).toBe(true);
  });

  it('rejects entries whose indexes do not follow prev_log_index', () => {
    const r = checkAppendEntries(ae({ entries: [{ index: 7, term: 3, type: 'noop', command: null }] }), m, 0);
    expect(detail(r)).toBe("field 'entries[0].index' must be 5 (prev_log_index + 1), got 7");
  });

  it('rejects entry terms above the request term or going down', () => {
    expect(
      detail(checkAppendEntries(ae({ entries: [{ index: 5, term: 4, type: 'noop', command: null }] }), m, 0)),
    ).toContain("between 1 and the request's term 3");
    expect(
      detail(checkAppendEntries(ae({ entries: [{ index: 5, term: 1, type: 'noop', command: null }] }), m, 0)),
    ).toContain('terms in a log never decrease');
  });

  it('rejects unknown commands inside entries and a bad prev pair', () => {
    const bad = ae({ entries: [{ index: 5, term: 3, type: 'command', command: 'frob x' }] });
    expect(detail(checkAppendEntries(bad, m, 0))).toContain("entries[0].command': unknown command 'frob x'");
    expect(
      detail(checkAppendEntries(ae({ prev_log_index: 0, prev_log_term: 2, entries: [] }), m, 0)),
    ).toContain('there is no entry 0');
  });
});

describe('client_command bodies', () => {
  it('accepts set/get/delete with an optional client_id + request_id pair of positive integers (§6.3)', () => {
    expect(checkClientCommand({ command: 'set x=42', client_id: 7, request_id: '1' })).toEqual({
      ok: true,
      value: { command: 'set x=42', client_id: '7', request_id: '1' },
    });
    expect(checkClientCommand({ command: 'register' })).toEqual({
      ok: true,
      value: { command: 'register' },
    });
  });

  it('refuses a session id that "register" cannot have given, and register with ids', () => {
    expect(detail(checkClientCommand({ command: 'get x', client_id: 'a', request_id: 1 }))).toContain(
      `field 'client_id' must be a positive integer, the number "register" answered`,
    );
    expect(detail(checkClientCommand({ command: 'get x', client_id: 3, request_id: 'r1' }))).toContain(
      `field 'request_id' must be a positive integer, a sequence number`,
    );
    expect(detail(checkClientCommand({ command: 'get x', client_id: 3, request_id: 0 }))).toContain(
      'request_id',
    );
    expect(detail(checkClientCommand({ command: 'register', client_id: 3, request_id: 1 }))).toContain(
      'without client_id',
    );
  });

  it('says what is wrong with a bad command', () => {
    expect(detail(checkClientCommand({}))).toBe(
      'field \'command\' is missing; it must be a string such as "set x=42", "get x" or "delete x"',
    );
    expect(detail(checkClientCommand({ command: 'frob' }))).toContain('unknown command');
    expect(detail(checkClientCommand({ command: 'get x', client_id: 4 }))).toContain('or neither');
  });
});

describe('other inputs', () => {
  it('checks /log query parameters and admin partition bodies', () => {
    expect(checkLogQuery({})).toEqual({ ok: true, value: { from: 1, limit: 100 } });
    expect(detail(checkLogQuery({ from: '0' }))).toContain("'from' must be an integer from 1");
    expect(parseWire(PartitionSchema, { peers: ['2', 3] }).ok).toBe(true);
    expect(detail(parseWire(PartitionSchema, { peers: ['2'], direction: 'up' }))).toBe(
      `field 'direction' must be "both", "inbound" or "outbound", got "up"`,
    );
  });

  it("encodes requests and responses in the seed's snake_case, with node_id on responses", () => {
    const req = encodeRequest(
      {
        type: 'append_entries',
        from: '1',
        to: '2',
        term: 3,
        leaderId: '1',
        prevLogIndex: 0,
        prevLogTerm: 0,
        entries: [],
        leaderCommit: 0,
      },
      'http://localhost:5001',
    );
    expect(req).toEqual({
      term: 3,
      leader_id: '1',
      leader_url: 'http://localhost:5001',
      prev_log_index: 0,
      prev_log_term: 0,
      entries: [],
      leader_commit: 0,
    });
    const response = {
      type: 'append_entries_response',
      from: '2',
      to: '1',
      term: 3,
      success: false,
      matchIndex: 0,
      conflictIndex: 4,
      conflictTerm: 2,
    } as const;
    const res = encodeResponse(response, '2');
    expect(res).toEqual({
      node_id: '2',
      term: 3,
      success: false,
      match_index: 0,
      conflict_index: 4,
      conflict_term: 2,
    });
    // The leader reads it back, checked against the contract, as the same message.
    const reply = parseWire(AppendEntriesReplySchema, res);
    expect(reply.ok).toBe(true);
    const request = decodeAppendEntries(req as AppendEntriesBody, '2', 'x');
    if (reply.ok) expect(decodeReply(request, reply.value)).toEqual(response);
  });
});
