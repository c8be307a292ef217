// A protocol-level adversary against real node processes: RPCs no real peer would send. The node
// must not crash, and must not adopt, commit or apply anything it should not — checked on its
// /status (term, log, commit_index, last_applied, kv) before and after. Most of these are refused
// at the door (400); the core's own guard for each, with the door bypassed, is tested in
// server/raft/tests/adversary.test.ts. The rest pass the door and meet the core.
//
// The target node F is cut off from its peers and its timers slowed, so only the adversary
// (this test) talks to it and it does not start elections of its own meanwhile.

import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_TERM_LEAD } from '../../server/raft/message-checks.ts';
import { clusterWithAdminForSuite, command, http, type NodeStatus } from './cluster-fixture.ts';

const { cluster, admin } = clusterWithAdminForSuite({
  size: 3,
  basePort: 15401,
  heartbeatMs: 100,
  electionTimeoutMinMs: 1000,
  electionTimeoutMaxMs: 2000,
  // Plain Figure 2 at the door: leader stickiness (CheckQuorum, on by default) would ignore the
  // hand-made votes; it has its own tests in prevote-reads-transfer.test.ts.
  env: { COMMAND_TIMEOUT_MS: '10000', CHECK_QUORUM: '0' },
});

/** What the adversary must not change without cause. */
const stateOf = (s: NodeStatus) => ({
  term: s.term,
  voted_for: s.voted_for,
  commit_index: s.commit_index,
  last_applied: s.last_applied,
  log: s.log,
  kv: s.kv,
});

let f: string; // the target
let a: string; // the other two: ids the adversary pretends to be
let b: string;
let n: number; // F's last index, all committed
let tn: number; // its term
const url = (id: string) => cluster.url(id);
const status = async (id: string) => (await http(`${url(id)}/status`)).body as unknown as NodeStatus;
const rpc = (id: string, path: string, body: unknown) => http(`${url(id)}${path}`, { body });
const ae = (term: number, leader: string, prev: [number, number], entries: unknown[], commit: number) => ({
  term,
  leader_id: leader,
  prev_log_index: prev[0],
  prev_log_term: prev[1],
  entries,
  leader_commit: commit,
});
const cmd = (index: number, term: number, text: string) => ({ index, term, type: 'command', command: text });

beforeAll(async () => {
  const leader = await cluster.waitForLeader(30_000);
  for (const c of ['set a=1', 'set b=2']) expect((await command(url(leader.node_id), c)).status).toBe(200);
  const done = await cluster.waitFor(
    (ss) => {
      const last = ss.find((s) => s?.state === 'leader')?.log_length;
      return last !== undefined && ss.every((s) => s?.last_applied === last) && ss;
    },
    30_000,
    'every node to apply the first commands',
  );
  const target = done.find((s) => s!.state === 'follower')!;
  f = target.node_id;
  [a, b] = cluster
    .nodes()
    .map((x) => x.id)
    .filter((id) => id !== f) as [string, string];
  const cut = await admin(f, 'partition', { peers: [a, b] });
  expect(cut.status).toBe(200);
  expect((await admin(f, 'speed', { factor: 0.05 })).status).toBe(200);
  const s = await status(f);
  n = s.log_length;
  tn = s.log.at(-1)!.term;
  expect(s.commit_index).toBe(n);
}, 90_000);

describe.sequential('a protocol-level adversary against a real node', () => {
  it('requests no real peer would send are refused at the door (400 naming why) and change nothing', async () => {
    const before = stateOf(await status(f));
    const t = before.term;
    const refused: [string, string, unknown, string][] = [
      [
        'a term of 2^52',
        '/request_vote',
        { term: 2 ** 52, candidate_id: a, last_log_index: 0, last_log_term: 0 },
        'more than 2^32 above',
      ],
      [
        'an append with a term of 2^52',
        '/append_entries',
        ae(2 ** 52, a, [n, tn], [], n),
        'more than 2^32 above',
      ],
      [
        'entries with decreasing terms',
        '/append_entries',
        ae(t + 2, a, [n, tn], [cmd(n + 1, t + 2, 'set x=1'), cmd(n + 2, t + 1, 'set x=2')], n),
        'terms in a log never decrease',
      ],
      [
        'entries with a gap in their indexes',
        '/append_entries',
        ae(t + 1, a, [n, tn], [cmd(n + 1, t + 1, 'set x=1'), cmd(n + 3, t + 1, 'set x=2')], n),
        `must be ${n + 2}`,
      ],
      [
        'an entry of a term above the request',
        '/append_entries',
        ae(t + 1, a, [n, tn], [cmd(n + 1, t + 2, 'set x=1')], n),
        "the request's term",
      ],
      [
        'a prev_log_term above the term',
        '/append_entries',
        ae(t + 1, a, [n, t + 2], [], n),
        'cannot be above',
      ],
      [
        'a prev_log_index of 0 with a term',
        '/append_entries',
        ae(t + 1, a, [0, 1], [], n),
        'there is no entry 0',
      ],
      ['a leader that is not a member', '/append_entries', ae(t + 1, '9', [n, tn], [], n), 'not a member'],
      ['the node itself as leader', '/append_entries', ae(t + 1, f, [n, tn], [], n), 'this node itself'],
      [
        'a term past 2^53',
        '/request_vote',
        { term: 2 ** 60, candidate_id: a, last_log_index: 0, last_log_term: 0 },
        'at most 2^53-1',
      ],
    ];
    for (const [what, path, body, why] of refused) {
      const r = await rpc(f, path, body);
      expect(r.status, what).toBe(400);
      expect(r.body.detail, what).toContain(why);
    }
    expect(stateOf(await status(f))).toEqual(before);
  });

  it('what passes the door meets the core: it never commits beyond what matches the leader, nor follows a second leader of a term', async () => {
    const t = (await status(f)).term + 10;
    // A leader_commit beyond anything sent: the commit index stops at the last entry covered.
    let r = await rpc(f, '/append_entries', ae(t, a, [n, tn], [], 1e9));
    expect(r.body).toMatchObject({ success: true, match_index: n });
    let s = await status(f);
    expect([s.commit_index, s.last_applied, s.log_length]).toEqual([n, n, n]);

    // A prev_log_index far beyond the log: refused by the consistency check, nothing committed.
    r = await rpc(f, '/append_entries', ae(t, a, [1e12, tn], [], 1e12));
    expect(r.body).toMatchObject({ success: false, conflict_index: n + 1 });
    expect((await status(f)).commit_index).toBe(n);

    // An entry of leader A, not committed yet.
    r = await rpc(f, '/append_entries', ae(t, a, [n, tn], [cmd(n + 1, t, 'set evil=1')], n));
    expect(r.body).toMatchObject({ success: true, match_index: n + 1 });

    // A second leader claiming the same term is ignored (§5.2): 409, nothing appended.
    r = await rpc(f, '/append_entries', ae(t, b, [n + 1, t], [cmd(n + 2, t, 'set evil=2')], n + 2));
    expect(r.status).toBe(409);
    s = await status(f);
    expect([s.log_length, s.commit_index]).toEqual([n + 1, n]);

    // Leader B of the next term has only entries 1..n in common with F: its commit index, however
    // high, must not apply A's entry n+1 (Figure 2, receiver step 5: the last *new* entry).
    r = await rpc(f, '/append_entries', ae(t + 1, b, [n, tn], [], n + 1));
    expect(r.body).toMatchObject({ success: true, match_index: n });
    s = await status(f);
    expect([s.commit_index, s.last_applied]).toEqual([n, n]);
    expect(s.kv).not.toHaveProperty('evil');

    // B's own entry replaces A's (§5.3) and commits; a stale A cannot add anything after it.
    r = await rpc(f, '/append_entries', ae(t + 1, b, [n, tn], [cmd(n + 1, t + 1, 'set ok=1')], n + 1));
    expect(r.body).toMatchObject({ success: true, match_index: n + 1 });
    r = await rpc(f, '/append_entries', ae(t, a, [n + 1, t], [cmd(n + 2, t, 'set evil=3')], n + 2));
    expect(r.body).toMatchObject({ success: false, term: t + 1 });
    r = await rpc(f, '/append_entries', ae(t + 1, b, [n + 1, t + 1], [], Number.MAX_SAFE_INTEGER));
    expect(r.body).toMatchObject({ success: true, match_index: n + 1 });
    s = await status(f);
    expect([s.commit_index, s.last_applied, s.log_length]).toEqual([n + 1, n + 1, n + 1]);
    expect(s.log.at(-1)).toMatchObject({ index: n + 1, term: t + 1, command: 'set ok=1' });
    expect(s.kv).toMatchObject({ a: '1', b: '2', ok: '1' });
    expect(s.kv).not.toHaveProperty('evil');
    expect(cluster.nodes().every((x) => x.up)).toBe(true);
  });

  it('after a legal jump of 2^32 terms the cluster still elects a leader and commits (no term too big to follow)', async () => {
    const before = await status(a);
    const far = before.term + MAX_TERM_LEAD;
    let r = await rpc(a, '/request_vote', {
      term: far + 1,
      candidate_id: f,
      last_log_index: 0,
      last_log_term: 0,
    });
    expect(r.status).toBe(400);
    r = await rpc(a, '/request_vote', { term: far, candidate_id: f, last_log_index: 0, last_log_term: 0 });
    expect(r.body).toMatchObject({ term: far, vote_granted: false });
    const leader = await cluster.waitFor(
      (ss) => ss.find((s) => s?.state === 'leader' && s.node_id !== f && s.term > far),
      60_000,
      `a leader of A and B in a term above ${far}`,
    );
    expect((await command(url(leader.node_id), 'set after=1')).status).toBe(200);
    for (const id of [a, b]) {
      const s = await status(id);
      // F's log from the adversary never reached A and B.
      expect(s.kv).not.toHaveProperty('ok');
      expect(s.log.slice(0, n)).toEqual((await status(f)).log.slice(0, n));
    }
  });
});
