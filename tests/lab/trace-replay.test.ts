// Time travel end to end: a real cluster runs an election message by message while the lab
// records it; the browser's history store is fed from the live channel as the web app does; the
// run is exported (GET /api/trace?download=1), written to a file and opened again as a replay.
// At every moment of the run the replay shows the same states as the live picture did.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellType } from '../../server/contract/lab-api.ts';
import type { Trace } from '../../server/contract/trace.ts';
import { type LabServer, startLabServer } from '../../server/lab/http/lab-server.ts';
import { LessonLibrary } from '../../server/lab/lesson-library.ts';
import { Workspace } from '../../server/lab/workspace.ts';
import { HistoryStore } from '../../web/src/history/history-store.ts';
import { type Scene, sceneAt } from '../../web/src/history/scene.ts';
import { FIXTURE_LESSONS } from './start-test-lab.ts';
import { startTestSession, type TestSession } from './start-test-session.ts';

const BASE_PORT = 14821;
let t: TestSession;
let lab: LabServer;
let dir: string;
const live = new HistoryStore();

const run = async (type: CellType, source: string) => {
  const r = await t.session.run({ lessonId: 'trace-replay-test', cellId: 'x', type, source });
  expect(r.ok, JSON.stringify(r.cluster?.actions ?? r.check?.assertions ?? r.error)).toBe(true);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'raft-trace-'));
  t = await startTestSession(BASE_PORT, { followEvents: true, pollIntervalMs: 200 });
  live.nodes = t.backend.nodes();
  // What the web app's LiveState does with the live channel.
  t.session.hub.subscribe((m) => {
    if (m.type === 'event') live.addEvent(m.event, m.event_id ?? null, m.record ?? null);
    else if (m.type === 'snapshot') live.addSample(m.snapshot);
  });
  lab = await startLabServer(new LessonLibrary(FIXTURE_LESSONS, new Workspace(join(dir, 'ws'))), t.session, {
    host: '127.0.0.1',
    port: 0,
    root: join(import.meta.dirname, '../..'),
    dev: false,
  });
}, 120_000);

afterAll(async () => {
  await lab?.close();
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the picture shows at a moment, without the counters that samples carry. */
function shown(s: Scene) {
  return {
    servers: s.servers.map((x) => ({
      id: x.id,
      role: x.role,
      term: x.term,
      votedFor: x.votedFor,
      leaderId: x.leaderId,
      commitIndex: x.commitIndex,
      votes: x.votes,
      timer: x.timer && { state: x.timer.state, remaining: Math.round(x.timer.remainingMs) },
      log: x.view?.status?.log.slice(-14).map((e) => `${e.index}/${e.term}`),
      up: x.view?.up,
      paused: x.view?.paused,
    })),
    flying: s.flying.map((f) => `${f.key}@${f.progress.toFixed(3)}`).sort(),
    held: s.held.map((h) => h.key),
    lost: s.lost.map((l) => `${l.key}×${l.count}`).sort(),
  };
}

describe('a recorded run, exported and replayed', () => {
  it('shows the same states at the same moments as the live picture', async () => {
    // Plain §5.2 elections, as lesson 2½ holds them (PreVote and leader stickiness off).
    await run('cluster', 'wait leader 20s\nprevote off\ncheckquorum off\nspeed 0.5\nwires delay 50ms');
    await run('http', 'POST {{leader}}/client_command\n{"command": "set x=1"}\n\nHTTP 200');
    await run('cluster', 'hold\npause timers\nresume timer {{follower}}\nwait candidate 30s\npause timers');
    await run('cluster', 'deliver next request_vote\ndrop next request_vote\ndeliver next request_vote');
    // A calm tail: the comparison stops 3.5 s before the export (see below), and a run on a quiet
    // machine can be over in two seconds.
    await run('cluster', 'release\nresume timers\nwait leader 30s\nheal\nwait 5s');

    const res = await fetch(`${lab.url}/api/trace?download=1`);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="raft-lab-trace-.*\.json"$/,
    );
    const file = join(dir, 'run.json');
    writeFileSync(file, await res.text());
    const trace = JSON.parse(readFileSync(file, 'utf8')) as Trace;
    const replay = HistoryStore.fromTrace(trace);

    // The cluster ran on after the export: the live picture has everything the file has, and more.
    expect(live.events.slice(0, replay.events.length).map((e) => e.n)).toEqual(replay.events.map((e) => e.n));
    expect(replay.messages.some((m) => m.heldAt !== null && m.lostReason === 'dropped')).toBe(true);
    const span = replay.span()!;
    // From the first sample on; until a few seconds before the export, after which the live picture
    // knows how the messages then in flight ended and the file cannot.
    const from = Math.max(span.from, replay.samples[0]!.at) + 1;
    const to = span.to - 3500;
    let compared = 0;
    let withMessages = 0;
    for (let at = from; at < to; at += (to - from) / 300) {
      const a = shown(sceneAt(live, at));
      const b = shown(sceneAt(replay, at));
      expect(b, `at ${at - from} ms into the run`).toEqual(a);
      compared++;
      if (a.flying.length + a.held.length > 0) withMessages++;
    }
    expect(compared).toBeGreaterThanOrEqual(300);
    expect(withMessages).toBeGreaterThan(10);
  });
});
