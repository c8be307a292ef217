// The lab's HTTP API: lessons, edits under workspace/, runs, cluster actions, and bad input.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FAULTS } from '../../server/contract/fault-words.ts';
import { startTestLab, type TestLab } from './start-test-lab.ts';

const LESSONS = resolve(import.meta.dirname, '../fixtures/mixed-lessons');
const LESSON = '01-fixture-status';
let t: TestLab;
let base: string;

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  t = await startTestLab(LESSONS, [16391, 16392, 16393, 16394, 16395]);
  base = t.lab.url;
});

afterAll(async () => {
  await t?.stop();
});

describe('lessons API', () => {
  it('lists lessons by order, with cell counts, and a malformed one with its file:line error', async () => {
    const { status, body } = await call('GET', '/api/lessons');
    expect(status).toBe(200);
    expect(body[0]).toEqual({
      id: LESSON,
      title: 'Fixture — reading status',
      summary: "A tiny lesson the lab's own tests run against a real cluster.",
      order: 1,
      cells: 4,
      checks: 1,
      passed: 0,
      ran: 0,
    });
    expect(body[1].id).toBe('02-bad-cells');
    expect(body[1].error).toMatch(/02-bad-cells\.md:12: /);
  });

  it('answers one lesson with blocks and cells in the documented shape', async () => {
    const { status, body } = await call('GET', `/api/lessons/${LESSON}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: LESSON, order: 1, nodes: 5 });
    expect(body.blocks[1]).toEqual({
      kind: 'cell',
      cell: {
        id: 'status',
        type: 'http',
        source: expect.stringContaining('GET {{node1}}/status'),
        original: expect.stringContaining('GET {{node1}}/status'),
        edited: false,
        scratch: false,
        line: 12,
      },
    });
  });

  it('answers a malformed lesson with 422 and every problem', async () => {
    const { status, body } = await call('GET', '/api/lessons/02-bad-cells');
    expect(status).toBe(422);
    expect(body.error).toBe('lesson_invalid');
    expect(body.problems.map((p: { line: number }) => p.line)).toEqual([12, 16, 20]);
  });

  it('saves an edit under workspace/, never in lessons/, and resets it', async () => {
    const before = readFileSync(join(LESSONS, `${LESSON}.md`), 'utf8');
    const saved = await call('PUT', `/api/lessons/${LESSON}/cells/c3`, { source: 'GET {{node2}}/status' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ id: 'c3', source: 'GET {{node2}}/status', edited: true });
    expect(saved.body.original).toContain('client_command');
    expect(readFileSync(join(LESSONS, `${LESSON}.md`), 'utf8')).toBe(before);
    expect(existsSync(join(t.workspaceDir, `${LESSON}.json`))).toBe(true);
    const lesson = await call('GET', `/api/lessons/${LESSON}`);
    expect(lesson.body.blocks.find((b: { cell?: { id: string } }) => b.cell?.id === 'c3').cell.source).toBe(
      'GET {{node2}}/status',
    );

    const reset = await call('POST', `/api/lessons/${LESSON}/cells/c3/reset`);
    expect(reset.body).toMatchObject({ edited: false, source: reset.body.original });
  });

  it('refuses to edit a check cell (409)', async () => {
    const r = await call('PUT', `/api/lessons/${LESSON}/cells/c4`, { source: 'leaders == 0' });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('not_editable');
  });

  it('adds scratch cells after a cell, in order, deletes them, and never deletes lesson cells', async () => {
    const a = await call('POST', `/api/lessons/${LESSON}/cells`, {
      after: 'status',
      type: 'http',
      source: 'GET {{node3}}/status',
    });
    const b = await call('POST', `/api/lessons/${LESSON}/cells`, {
      after: 'status',
      type: 'cluster',
      source: 'heal',
    });
    const top = await call('POST', `/api/lessons/${LESSON}/cells`, { after: null, type: 'http', source: '' });
    expect([a.status, b.status, top.status]).toEqual([201, 201, 201]);
    expect(a.body).toMatchObject({ id: 's1', scratch: true, line: null, original: '' });
    const ids = (await call('GET', `/api/lessons/${LESSON}`)).body.blocks
      .filter((x: { kind: string }) => x.kind === 'cell')
      .map((x: { cell: { id: string } }) => x.cell.id);
    expect(ids).toEqual(['s3', 'status', 's1', 's2', 'c2', 'c3', 'c4']);

    expect((await call('DELETE', `/api/lessons/${LESSON}/cells/s1`)).status).toBe(204);
    const lessonCell = await call('DELETE', `/api/lessons/${LESSON}/cells/c2`);
    expect(lessonCell.status).toBe(409);
    const reset = await call('POST', `/api/lessons/${LESSON}/reset`);
    expect(reset.body.blocks.filter((x: { kind: string }) => x.kind === 'cell')).toHaveLength(4);
    expect(existsSync(join(t.workspaceDir, `${LESSON}.json`))).toBe(false);
  });

  it('refuses a scratch check cell and an unknown anchor', async () => {
    expect(
      (
        await call('POST', `/api/lessons/${LESSON}/cells`, {
          after: null,
          type: 'check',
          source: 'leaders == 1',
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('POST', `/api/lessons/${LESSON}/cells`, { after: 'nope', type: 'http', source: '' }))
        .status,
    ).toBe(404);
  });
});

describe('run and cluster API', () => {
  it('runs a cell and answers its RunResult, with a learner-facing error when the node is down', async () => {
    const r = await call('POST', '/api/run', { lessonId: LESSON, cellId: 'status' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      runId: expect.stringMatching(/^r\d+$/),
      lessonId: LESSON,
      cellId: 'status',
      type: 'http',
      ok: false,
    });
    expect(r.body.error.message).toContain('node1 (http://127.0.0.1:16391) refused the connection');
    expect(r.body.error.hint).toContain('restart node1');
  });

  it('runs a check cell as written, ignoring a source sent along', async () => {
    const r = await call('POST', '/api/run', {
      lessonId: LESSON,
      cellId: 'c4',
      source: 'node1 is up\ntimeout: 0s',
    });
    expect(r.body.type).toBe('check');
    expect(r.body.check.assertions[0].text).toBe('leaders == 1');
  }, 30_000);

  it('says which faults the backend offers, and refuses one it does not with a reason', async () => {
    const c = await call('GET', '/api/cluster');
    expect(c.body).toMatchObject({
      backend: 'remote',
      // Every fault but those that need the nodes' processes (kill, restart) or new servers.
      faults: ALL_FAULTS.filter((f) => !['kill', 'restart', 'wipe', 'add', 'promote', 'remove'].includes(f)),
    });
    expect(c.body.nodes).toHaveLength(5);
    expect(c.body.snapshot.nodes[0]).toMatchObject({
      id: '1',
      name: 'node1',
      status: null,
      error: 'connection refused',
    });
    const kill = await call('POST', '/api/cluster/actions', { action: 'kill node3' });
    expect(kill.status).toBe(200);
    expect(kill.body.ok).toBe(false);
    expect(kill.body.actions[0].detail).toContain('the remote backend cannot kill a node');
  });
});

describe('bad requests get a 4xx JSON error and the lab keeps serving', () => {
  it.each([
    ['unknown lesson', 'GET', '/api/lessons/nope', undefined, undefined, 404, 'lesson_not_found'],
    [
      'path tricks in a lesson id',
      'GET',
      '/api/lessons/..%2F..%2Fpackage',
      undefined,
      undefined,
      400,
      'bad_lesson_id',
    ],
    [
      'unknown cell',
      'PUT',
      `/api/lessons/${LESSON}/cells/zzz`,
      { source: 'x' },
      undefined,
      404,
      'cell_not_found',
    ],
    ['malformed JSON', 'POST', '/api/run', undefined, '{"lessonId": ', 400, 'bad_json'],
    ['a JSON array', 'POST', '/api/run', [1, 2], undefined, 400, 'bad_request'],
    ['a wrong type', 'POST', '/api/run', { lessonId: 3, cellId: 'c1' }, undefined, 400, 'bad_request'],
    ['a missing field', 'PUT', `/api/lessons/${LESSON}/cells/c3`, {}, undefined, 400, 'bad_request'],
    [
      'a body over the limit',
      'PUT',
      `/api/lessons/${LESSON}/cells/c3`,
      { source: 'x'.repeat(600 * 1024) },
      undefined,
      413,
      'too_large',
    ],
    [
      'an unknown cluster action',
      'POST',
      '/api/cluster/actions',
      { action: 'explode node1' },
      undefined,
      400,
      'bad_action',
    ],
    ['an unknown endpoint', 'GET', '/api/nothing', undefined, undefined, 404, 'not_found'],
  ])('%s', async (_what, method, path, body, raw, status, error) => {
    const r = await call(method, path, body, raw);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ error, detail: expect.any(String) });
    expect(r.body.detail.length).toBeGreaterThan(10);
    expect((await call('GET', '/api/lessons')).status).toBe(200);
  });
});

describe('the web app', () => {
  it('serves the notebook page at / and at any other page path (or says to build it)', async () => {
    for (const path of ['/', '/lessons/01-fixture-status']) {
      const res = await fetch(`${base}${path}`);
      expect([200, 503]).toContain(res.status);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toMatch(res.status === 200 ? /<html/i : /npm run build/);
    }
  });

  it('answers other methods outside /api with a JSON 404', async () => {
    const r = await call('POST', '/anything', { a: 1 });
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('not_found');
  });
});
