// The node refuses what the contract does not allow, and changes nothing (issue 9): for every
// field of every endpoint — removed, null, each wrong JSON type, out of range, an unknown field —
// a real node answers 400 {error, detail} naming the field, its /status and its write-ahead log
// are byte for byte what they were, and the core was never stepped (the election timer lives
// in the core: an unstepped core has not reset it, and has adopted no term).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  HeldIdsSchema,
  HoldSchema,
  LinkSchema,
  NoFieldsSchema,
  NoopSchema,
  PartitionSchema,
  ResetSchema,
  SpeedSchema,
  TimerSchema,
} from '../../server/contract/admin.ts';
import { ClientCommandSchema } from '../../server/contract/client-command.ts';
import { InstallSnapshotSchema } from '../../server/contract/install-snapshot.ts';
import { AppendEntriesSchema, RequestVoteSchema } from '../../server/contract/raft-rpc.ts';
import type { RaftCore } from '../../server/raft/core.ts';
import { type InProcessNode, startInProcessNode } from '../support/in-process-node.ts';
import { type Door, strictCases } from '../support/strict-cases.ts';

const PORT = 15161;
const TOKEN = 'strict-test';

const RPC_IDS = { candidate_id: ['number'], leader_id: ['number'] } as const;
const DOORS: Door[] = [
  {
    name: 'POST /request_vote',
    schema: RequestVoteSchema,
    valid: { term: 5, candidate_id: '2', last_log_index: 1, last_log_term: 1 },
    alsoAccepts: RPC_IDS,
  },
  {
    name: 'POST /append_entries',
    schema: AppendEntriesSchema,
    valid: {
      term: 5,
      leader_id: '2',
      leader_url: 'http://127.0.0.1:5002',
      prev_log_index: 1,
      prev_log_term: 1,
      entries: [{ index: 2, term: 5, type: 'command', command: 'set x=2', client_id: 'c', request_id: 'r9' }],
      leader_commit: 1,
    },
    optional: ['leader_url', 'entries[0].client_id', 'entries[0].request_id'],
    alsoAccepts: RPC_IDS,
  },
  {
    // Paper §7, Figure 13: a first chunk of two (a complete one would install).
    name: 'POST /install_snapshot',
    schema: InstallSnapshotSchema,
    valid: {
      term: 5,
      leader_id: '2',
      leader_url: 'http://127.0.0.1:5002',
      last_included_index: 3,
      last_included_term: 5,
      config: { voters: ['1', '2', '3'], learners: [] },
      offset: 0,
      data: 'AAAA',
      done: false,
      total_bytes: 6,
      crc32: 0,
    },
    optional: ['leader_url'],
    alsoAccepts: { leader_id: ['number'] },
  },
  {
    name: 'POST /client_command',
    schema: ClientCommandSchema,
    valid: { command: 'set x=3', client_id: '4', request_id: '1' },
    // Both or neither: removing one alone is refused.
    alsoAccepts: { client_id: ['number'], request_id: ['number'] },
  },
  {
    name: 'POST /admin/partition',
    schema: PartitionSchema,
    valid: { peers: ['2'], direction: 'inbound' },
    optional: ['direction'],
    alsoAccepts: { 'peers[0]': ['number'] },
  },
  { name: 'POST /admin/speed', schema: SpeedSchema, valid: { factor: 0.5 } },
  { name: 'POST /admin/noop', schema: NoopSchema, valid: { enabled: false } },
  { name: 'POST /admin/heal', schema: NoFieldsSchema, valid: {} },
  { name: 'POST /admin/reconnect', schema: NoFieldsSchema, valid: {} },
  { name: 'POST /admin/pause', schema: NoFieldsSchema, valid: {} },
  { name: 'POST /admin/resume', schema: NoFieldsSchema, valid: {} },
  { name: 'POST /admin/hold', schema: HoldSchema, valid: { held: true } },
  { name: 'POST /admin/deliver', schema: HeldIdsSchema, valid: { ids: ['2.7'] } },
  { name: 'POST /admin/drop', schema: HeldIdsSchema, valid: { ids: ['2.7'] } },
  {
    name: 'POST /admin/link',
    schema: LinkSchema,
    valid: { peers: ['2'], delay_ms: 100, jitter_ms: 10, loss: 0.1, duplicate: 0.1, reorder: 0.1 },
    optional: ['peers', 'delay_ms', 'jitter_ms', 'loss', 'duplicate', 'reorder'],
    alsoAccepts: { 'peers[0]': ['number'] },
  },
  { name: 'POST /admin/timer', schema: TimerSchema, valid: { paused: true } },
  { name: 'POST /admin/timeout', schema: NoFieldsSchema, valid: {} },
  { name: 'POST /admin/reset', schema: ResetSchema, valid: { isolated: true }, optional: ['isolated'] },
];

let n: InProcessNode;
let step: ReturnType<typeof vi.spyOn>;

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${n.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Everything a refused request must leave alone: what /status shows and every byte on disk. */
async function observed(): Promise<{ status: unknown; wal: string }> {
  const status = await (await fetch(`${n.url}/status`)).json();
  const wal = createHash('sha256')
    .update(readFileSync(join(n.dataDir, 'raft.wal')))
    .digest('hex');
  return { status, wal };
}

beforeAll(async () => {
  n = await startInProcessNode({
    NODE_ID: '1',
    PORT: String(PORT),
    // Peers that never answer, and an election timeout longer than the test: the node stays a
    // follower and nothing but these requests could change it.
    PEERS: '2=127.0.0.1:15162,3=127.0.0.1:15163',
    ELECTION_TIMEOUT_MIN_MS: '600000',
    ELECTION_TIMEOUT_MAX_MS: '600000',
    ADMIN_TOKEN: TOKEN,
  });
  // A state worth protecting: term 5 adopted, one entry from leader 2, persisted.
  const first = await post('/append_entries', {
    term: 5,
    leader_id: '2',
    prev_log_index: 0,
    prev_log_term: 0,
    entries: [{ index: 1, term: 5, type: 'command', command: 'set x=1' }],
    leader_commit: 0,
  });
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ success: true, term: 5, match_index: 1 });
  // A spy that lets every call through: only to count what reaches the core.
  step = vi.spyOn((n.node as unknown as { core: RaftCore }).core, 'step');
});

afterAll(async () => {
  await n?.stop();
});

describe('every node endpoint refuses what the contract does not allow, and changes nothing', () => {
  for (const door of DOORS) {
    const cases = strictCases(door);
    it(`${door.name}: ${cases.length} malformed bodies, each 400 naming the field, state untouched`, async () => {
      const path = door.name.split(' ')[1]!;
      const before = await observed();
      const wrong: string[] = [];
      for (const c of cases) {
        const res = await post(path, c.body);
        const named = c.field === '' || String(res.body.detail).includes(c.field.replace(/\[0\]$/, ''));
        const refused = res.body.error === 'bad_request' || (c.field === '' && res.body.error === 'bad_json');
        if (res.status !== 400 || !refused || !named) {
          wrong.push(`${c.what}: ${res.status} ${JSON.stringify(res.body)}`);
        }
        const after = await observed();
        if (JSON.stringify(after) !== JSON.stringify(before))
          wrong.push(`${c.what}: the node's state changed`);
      }
      expect(wrong).toEqual([]);
      expect(step).not.toHaveBeenCalled();
    });
  }

  it('refuses the rules no schema states: entries out of order, terms going down or ahead, non-members', async () => {
    const ae = (over: Record<string, unknown>) => ({ ...DOORS[1]!.valid, ...over });
    const entry = (index: number, term: number) => ({ index, term, type: 'noop', command: null });
    const bad: [string, string, unknown][] = [
      ['/append_entries', 'there is no entry 0', ae({ prev_log_index: 0, prev_log_term: 1 })],
      ['/append_entries', 'prev_log_term', ae({ prev_log_term: 6 })],
      ['/append_entries', 'entries[0].index', ae({ entries: [entry(3, 5)] })],
      ['/append_entries', 'entries[1].term', ae({ entries: [entry(2, 5), entry(3, 4)] })],
      ['/append_entries', 'entries[0].term', ae({ entries: [entry(2, 6)] })],
      ['/append_entries', 'entries[0].command', ae({ entries: [{ ...entry(2, 5), command: 'set x=1' }] })],
      [
        '/append_entries',
        'entries[0].command',
        ae({ entries: [{ ...entry(2, 5), type: 'command', command: 'frob' }] }),
      ],
      ['/append_entries', 'leader_id', ae({ leader_id: '9' })],
      ['/append_entries', 'leader_id', ae({ leader_id: '1' })],
      [
        '/request_vote',
        'both are 0 for an empty log',
        { term: 5, candidate_id: '2', last_log_index: 0, last_log_term: 1 },
      ],
      ['/request_vote', 'last_log_term', { term: 5, candidate_id: '2', last_log_index: 3, last_log_term: 6 }],
      [
        '/request_vote',
        'more than 2^32 above',
        { term: 2 ** 52, candidate_id: '2', last_log_index: 0, last_log_term: 0 },
      ],
      ['/install_snapshot', 'more than 2^32 above', { ...DOORS[2]!.valid, term: 2 ** 52 }],
      ['/install_snapshot', 'leader_id', { ...DOORS[2]!.valid, leader_id: '9' }],
      ['/client_command', 'client_id', { command: 'get x', client_id: 4 }],
      ['/client_command', 'unknown command', { command: 'frob x' }],
      ['/admin/partition', 'peers[0]', { peers: ['9'] }],
      ['/admin/link', 'peers[0]', { peers: ['1'], delay_ms: 5 }],
    ];
    const before = await observed();
    for (const [path, named, body] of bad) {
      const res = await post(path, body);
      expect(res.status, `${path} ${named}`).toBe(400);
      expect(String(res.body.detail)).toContain(named);
    }
    expect(await observed()).toEqual(before);
    expect(step).not.toHaveBeenCalled();
  });

  it('refuses bad /log queries', async () => {
    for (const q of ['from=0', 'from=x', 'limit=0', 'limit=1001', 'from=1&from=2', 'form=1']) {
      const res = await fetch(`${n.url}/log?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/from|limit|form/);
    }
  });
});
