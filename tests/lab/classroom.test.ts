// Classroom mode through its API, on real local clusters: two learners in one lab get
// separate clusters and separate edits, the dashboard shows both, resetting one leaves the
// other alone, neither can reach the other's cluster or workspace by crafting requests,
// idle reaping and restart keep edits, and a full class queues or shares as told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SimulatedLearner } from '../../bench/classroom/simulated-learner.ts';
import type { ClassroomView, MemberNotebookView } from '../../server/contract/classroom.ts';
import type { ClusterInfo } from '../../server/contract/cluster-view.ts';
import type { NotebookLesson, RunResult } from '../../server/contract/lab-api.ts';
import { alive } from '../support/process-state.ts';
import { waitFor } from '../support/wait-for.ts';
import { JOIN_CODE, startTestClassroom, type TestClassroom } from './start-test-classroom.ts';

const LESSON = '01-fixture-status';
let t: TestClassroom;
let ada: SimulatedLearner;
let bob: SimulatedLearner;

async function instructorGet<T>(path: string): Promise<T> {
  const res = await fetch(t.lab.url + path, { headers: t.instructor });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function instructorPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(t.lab.url + path, {
    method: 'POST',
    headers: { ...t.instructor, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** The first close (code, reason) of a live connection made with these headers. */
function liveClose(
  query: string,
  headers: Record<string, string>,
): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${t.lab.url.replace('http', 'ws')}/api/live${query}`, { headers });
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
    ws.once('message', () => {
      ws.close();
    });
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  t = await startTestClassroom(7101);
  ada = await SimulatedLearner.join(t.lab.url, 'Ada', JOIN_CODE);
  bob = await SimulatedLearner.join(t.lab.url, 'Bob', JOIN_CODE.toLowerCase());
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

// Generous limits: each test may start clusters, and this machine is shared (load average 40+ seen).
describe('classroom: one lab, a cluster per learner', { timeout: 240_000 }, () => {
  it('refuses a wrong join code and an empty name, and a request without a cookie', async () => {
    await expect(SimulatedLearner.join(t.lab.url, 'Eve', 'WRONG')).rejects.toThrow(/join code/);
    await expect(SimulatedLearner.join(t.lab.url, '   ', JOIN_CODE)).rejects.toThrow(/name/);
    const res = await fetch(`${t.lab.url}/api/lessons`);
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/join the class/);
    const page = await fetch(`${t.lab.url}/`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/join');
  });

  it('gives each learner their own cluster, and each passes the lesson on it', async () => {
    const [a, b] = await Promise.all([
      ada.runLesson(LESSON, { reset: false }),
      bob.runLesson(LESSON, { reset: false }),
    ]);
    expect(a.failures).toEqual([]);
    expect(b.failures).toEqual([]);
    expect(a.passed).toBe(a.checks);
    const [ca, cb] = await Promise.all([
      ada.call<ClusterInfo>('GET', '/api/cluster'),
      bob.call<ClusterInfo>('GET', '/api/cluster'),
    ]);
    const urlsA = ca.body.nodes.map((n) => n.url);
    const urlsB = cb.body.nodes.map((n) => n.url);
    expect(urlsA).toHaveLength(5);
    expect(urlsA.filter((u) => urlsB.includes(u))).toEqual([]);
  });

  it('keeps edits apart: what Ada types is not in Bob’s notebook', async () => {
    const saved = await ada.call('PUT', `/api/lessons/${LESSON}/cells/status`, {
      source: 'GET {{node2}}/status',
    });
    expect(saved.status).toBe(200);
    const mine = await ada.call<NotebookLesson>('GET', `/api/lessons/${LESSON}`);
    const theirs = await bob.call<NotebookLesson>('GET', `/api/lessons/${LESSON}`);
    const cell = (l: NotebookLesson) =>
      l.blocks.flatMap((b) => (b.kind === 'cell' && b.cell.id === 'status' ? [b.cell] : []))[0]!;
    expect(cell(mine.body).source).toBe('GET {{node2}}/status');
    expect(cell(theirs.body).edited).toBe(false);
  });

  it('shows both on the dashboard with their checks, lesson and cluster health', async () => {
    const view = await waitFor(
      'both learners to show a leader on the dashboard',
      async () => {
        const v = await instructorGet<ClassroomView>('/api/classroom');
        const rows = v.members.filter((m) => m.name === 'Ada' || m.name === 'Bob');
        return rows.length === 2 && rows.every((r) => r.progress.health?.leader) ? v : null;
      },
      { timeoutMs: 10_000 },
    );
    const rowA = view.members.find((m) => m.id === ada.id)!;
    expect(rowA.cluster).toBe('running');
    expect(rowA.progress.lesson).toBe(LESSON);
    expect(rowA.progress.passed[LESSON]?.length).toBe(1);
    expect(rowA.progress.health?.nodesUp).toBe(5);
    const csv = await (
      await fetch(`${t.lab.url}/api/classroom/progress.csv`, { headers: t.instructor })
    ).text();
    expect(csv).toMatch(/^id,name,current lesson/);
    expect(csv).toContain(`${ada.id},Ada,${LESSON}`);
    const notebook = await instructorGet<MemberNotebookView>(
      `/api/classroom/members/${ada.id}/lessons/${LESSON}`,
    );
    expect(notebook.member.name).toBe('Ada');
    expect(Object.values(notebook.outcomes).some((o) => o.ok)).toBe(true);
  });

  it('resets one learner’s cluster from the dashboard and leaves the other’s alone', async () => {
    const before = await bob.call<ClusterInfo>('GET', '/api/cluster');
    const bobLog = (before.body.snapshot.nodes[0]?.status?.log ?? []).length;
    expect(bobLog).toBeGreaterThan(0);
    const outcome = await instructorPost<{ ok: boolean }>(`/api/classroom/members/${ada.id}/actions`, {
      action: 'reset',
    });
    expect(outcome.ok).toBe(true);
    const after = await ada.call<ClusterInfo>('GET', '/api/cluster');
    expect(after.body.snapshot.nodes.every((n) => (n.status?.kv.x ?? null) === null)).toBe(true);
    const bobAfter = await bob.call<ClusterInfo>('GET', '/api/cluster');
    expect(bobAfter.body.snapshot.nodes.some((n) => n.status?.kv.x === '42')).toBe(true);
  });

  it('never lets a learner reach another’s cluster, workspace or the instructor’s API', async () => {
    const adaNode = (await ada.call<ClusterInfo>('GET', '/api/cluster')).body.nodes[0]!.url;
    // A cell that names Ada's node: the lab only sends to the caller's own cluster.
    await bob.call('PUT', `/api/lessons/${LESSON}/cells/status`, { source: `GET ${adaNode}/status` });
    const run = await bob.call<RunResult>('POST', '/api/run', { lessonId: LESSON, cellId: 'status' });
    expect(run.status).toBe(200);
    expect(run.body.ok).toBe(false);
    expect(run.body.error?.message).toMatch(/only sends requests to the cluster's own nodes/);
    await bob.call('POST', `/api/lessons/${LESSON}/cells/status/reset`);
    // The instructor's API and its member routes are closed to learners.
    for (const path of ['/api/classroom', `/api/classroom/members/${ada.id}/lessons/${LESSON}`]) {
      expect((await bob.call('GET', path)).status).toBe(401);
    }
    expect(
      (await bob.call('POST', `/api/classroom/members/${ada.id}/actions`, { action: 'reset' })).status,
    ).toBe(401);
    // A forged cookie is nobody; a learner's live channel cannot watch another member.
    const forged = await fetch(`${t.lab.url}/api/lessons`, {
      headers: { cookie: 'raft_lab_learner=forged' },
    });
    expect(forged.status).toBe(401);
    const watch = await liveClose(`?member=${ada.id}`, { cookie: bob.cookie });
    expect(watch).toEqual({ code: 4401, reason: 'only the instructor can watch another cluster' });
    const follow = await liveClose('?follow=1', { cookie: bob.cookie });
    expect(follow.code).toBe(4401);
    // Ada's edit is still hers alone.
    const mine = await ada.call<NotebookLesson>('GET', `/api/lessons/${LESSON}`);
    expect(JSON.stringify(mine.body)).toContain('GET {{node2}}/status');
  });

  it('stops an idle learner’s cluster and restarts it on their next run, edits kept', async () => {
    const adaMember = t.classroom.existing(ada.id)!;
    const pids = (adaMember.session.backend as unknown as { pids(): (number | null)[] }).pids();
    expect(pids.every((p) => p !== null && alive(p))).toBe(true);
    const reaped = await t.classroom.pool.reapIdle(Date.now() + 3_600_000);
    expect(reaped.map((m) => m.id)).toContain(ada.id);
    expect(adaMember.state).toBe('stopped');
    await waitFor('Ada’s nodes to exit', () => pids.every((p) => !alive(p!)), { timeoutMs: 10_000 });
    const lesson = await ada.call<NotebookLesson>('GET', `/api/lessons/${LESSON}`);
    expect(JSON.stringify(lesson.body)).toContain('GET {{node2}}/status');
    const run = await ada.call<RunResult>('POST', '/api/run', { lessonId: LESSON, cellId: 'status' });
    expect(run.status).toBe(200);
    expect(run.body.ok).toBe(true);
    expect(adaMember.state).toBe('running');
  });
});

describe('classroom: a full class', { timeout: 240_000 }, () => {
  let small: TestClassroom;
  afterAll(async () => {
    await small?.stop();
  });

  it('queues a learner when every cluster is taken, and says where they are in the queue', async () => {
    small = await startTestClassroom(7401, { maxClusters: 1, queueWaitMs: 300 });
    const first = await SimulatedLearner.join(small.lab.url, 'First', JOIN_CODE);
    const second = await SimulatedLearner.join(small.lab.url, 'Second', JOIN_CODE);
    expect((await first.call('GET', '/api/cluster')).status).toBe(200);
    const full = await second.call<{ error: string; detail: string; queuePosition: number }>(
      'GET',
      '/api/cluster',
    );
    expect(full.status).toBe(503);
    expect(full.body.error).toBe('classroom_full');
    expect(full.body.queuePosition).toBe(1);
    expect(full.body.detail).toMatch(
      /all 1 clusters of this class are in use; you are number 1 in the queue/,
    );
    // The first learner leaves (idle): the second gets a cluster.
    await small.classroom.pool.reapIdle(Date.now() + 3_600_000);
    expect((await second.call('GET', '/api/cluster')).status).toBe(200);
  });
});
