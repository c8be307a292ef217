// The lab refuses what the contract does not allow, and changes nothing (issue 9): for every
// field of every lab endpoint (HTTP and the live channel) — removed, null, each wrong JSON type,
// out of range, an unknown field — a 400 {error, detail} naming the field (413 for a source over
// the limit), with the learner's saved edits, the lesson and the live stream unchanged.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ActionRequestSchema,
  AddCellSchema,
  NoFieldsSchema,
  RunRequestSchema,
  SaveCellSchema,
} from '../../server/contract/lab-api.ts';
import { LiveClientMessageSchema } from '../../server/contract/live.ts';
import { type Door, strictCases } from '../support/strict-cases.ts';
import { waitFor } from '../support/wait-for.ts';
import { FIXTURE_LESSONS, startTestLab, type TestLab } from './start-test-lab.ts';

const LESSON = '01-fixture-status';
const CELL = 'status';
const SOURCE = 'GET {{node1}}/status\n\nHTTP 200';

const DOORS: (Door & { method: string; path: string })[] = [
  {
    name: 'POST /api/run',
    method: 'POST',
    path: '/api/run',
    schema: RunRequestSchema,
    valid: { lessonId: LESSON, cellId: CELL, source: SOURCE },
    optional: ['source'],
  },
  {
    name: 'PUT /api/lessons/:id/cells/:cellId',
    method: 'PUT',
    path: `/api/lessons/${LESSON}/cells/${CELL}`,
    schema: SaveCellSchema,
    valid: { source: SOURCE },
  },
  {
    name: 'POST /api/lessons/:id/cells',
    method: 'POST',
    path: `/api/lessons/${LESSON}/cells`,
    schema: AddCellSchema,
    valid: { after: CELL, type: 'http', source: SOURCE },
    optional: ['after', 'type', 'source'],
    alsoAccepts: { after: ['null'] },
  },
  {
    name: 'POST /api/cluster/actions',
    method: 'POST',
    path: '/api/cluster/actions',
    schema: ActionRequestSchema,
    valid: { action: 'heal', source: 'panel' },
    optional: ['source'],
  },
  {
    name: 'POST /api/lessons/:id/cells/:cellId/reset',
    method: 'POST',
    path: `/api/lessons/${LESSON}/cells/${CELL}/reset`,
    schema: NoFieldsSchema,
    valid: {},
  },
  {
    name: 'POST /api/lessons/:id/reset',
    method: 'POST',
    path: `/api/lessons/${LESSON}/reset`,
    schema: NoFieldsSchema,
    valid: {},
  },
];

let t: TestLab;

/** What a refused request must leave alone: saved edits, the lesson as served, the live stream. */
async function observed(): Promise<string> {
  const files = readdirSync(t.workspaceDir).map((f) => [f, readFileSync(join(t.workspaceDir, f), 'utf8')]);
  const lesson = await (await fetch(`${t.lab.url}/api/lessons/${LESSON}`)).text();
  return JSON.stringify({ files, lesson, liveSeq: t.session.hub.lastSeq });
}

beforeAll(async () => {
  t = await startTestLab(FIXTURE_LESSONS, [16421, 16422, 16423, 16424, 16425]);
  // Something to protect: a saved edit of the cell.
  const res = await fetch(`${t.lab.url}/api/lessons/${LESSON}/cells/${CELL}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: `${SOURCE}\n# edited` }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
});

describe('every lab endpoint refuses what the contract does not allow, and changes nothing', () => {
  for (const door of DOORS) {
    const cases = strictCases(door);
    it(`${door.name}: ${cases.length} malformed bodies, each refused naming the field, state untouched`, async () => {
      const before = await observed();
      const wrong: string[] = [];
      for (const c of cases) {
        const res = await fetch(`${t.lab.url}${door.path}`, {
          method: door.method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(c.body),
        });
        const body = (await res.json()) as { error?: string; detail?: string };
        const tooLarge = c.what.includes('longer than') && res.status === 413 && body.error === 'too_large';
        const refused =
          res.status === 400 &&
          (body.error === 'bad_request' || (c.field === '' && body.error === 'bad_json')) &&
          (c.field === '' || String(body.detail).includes(c.field.replace(/\[0\]$/, '')));
        if (!tooLarge && !refused)
          wrong.push(`${c.what}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        if ((await observed()) !== before) wrong.push(`${c.what}: the lab's state changed`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('the live channel answers each malformed message with an error and starts nothing', async () => {
    const cases = [
      ...strictCases({
        name: 'live resume',
        schema: LiveClientMessageSchema,
        valid: { type: 'resume', seq: 0 },
      }),
      ...strictCases({ name: 'live ping', schema: LiveClientMessageSchema, valid: { type: 'ping' } }),
    ];
    const seqBefore = t.session.hub.lastSeq;
    const ws = new WebSocket(`${t.lab.url.replace('http', 'ws')}/api/live`);
    const got: Record<string, unknown>[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await new Promise((resolve) => ws.once('open', resolve));
    for (const c of cases) ws.send(JSON.stringify(c.body));
    const errors = () => got.filter((m) => m.type === 'error');
    await waitFor(`${cases.length} errors`, () => errors().length >= cases.length);
    expect(errors().every((m) => m.error === 'unknown_message' && typeof m.detail === 'string')).toBe(true);
    // No resume was started by a malformed one: a fresh client just gets its hello.
    await waitFor('the hello', () => got.some((m) => m.type === 'hello'));
    expect(got.filter((m) => m.type !== 'error' && m.type !== 'hello')).toEqual([]);
    expect(t.session.hub.lastSeq).toBe(seqBefore);
    ws.close();
  });
});
