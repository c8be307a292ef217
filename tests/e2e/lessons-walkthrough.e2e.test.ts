// Every lesson walked in a real browser as a learner walks it, against the real lab and its real
// five-node cluster: the lesson is opened from the list, at its top; each cell is run with its own
// Run button, in order; each prediction is answered by clicking an option and "Lock in my
// prediction" before the cell that decides it runs; each choice is picked; each "your turn" step is
// done with the cluster panel's own buttons (Kill, Restart, Pause, Resume, Partition) or by editing
// a cell, then confirmed with "I did it: check" — never "Do it for me". Every check cell must pass,
// every step must be proved by what the learner did, and every prediction must be decided by what
// the cluster did. The learner's answers are sometimes wrong and their choices are not always the
// lesson's defaults, so the lessons are shown to work for other paths than Run all's.
// A screenshot per lesson, and one per decided prediction, land in test-results/screenshots/walk-*.png
// for a person to look at.
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '../../server/contract/cluster-view.ts';
import { waitFor } from '../support/wait-for.ts';
import { openLessonFromList } from './browser.ts';
import { labInChromium, SCREENSHOTS } from './lab-in-chromium.ts';

/** Generous: a reset restarts node processes, slow on a loaded machine. */
const CELL_TIMEOUT_MS = 180_000;

const t = labInChromium({
  port: 17400,
  basePort: 17410,
  viewport: { width: 1400, height: 900 },
  setupMs: 240_000,
});
beforeAll(async () => {
  await t.page.goto(t.lab.url);
  await t.page.waitForSelector('lesson-list a');
});

/** What the learner does in one learner step (predict, choose or act), in lesson order. */
type Step =
  /** predict / choose: the option the learner clicks. */
  | { pick: string }
  /** act: what the learner does in the panel (or elsewhere) before "I did it: check". */
  | { act: (l: Learner) => Promise<void> };

interface Walk {
  steps: Step[];
  /** Edits the learner makes to a cell (by id) before running it: `from` → `to` on the line holding `at`. */
  edits?: Record<string, { at: string; from: string; to: string }>;
  /** Values the learner's own edits or choices must have put into the lesson's captures. */
  captures?: Record<string, string>;
}

/** Reads the page and the cluster as a learner can, and presses the panel's buttons. */
interface Learner {
  /** A value a cell captured, as its output shows it (`captured victim = "3"`). */
  captured(name: string): Promise<string>;
  /** The node marked LEADER in the panel. */
  leader(): Promise<string>;
  /** The nodes marked FOLLOWER in the panel. */
  followers(): Promise<string[]>;
  panel(verb: 'Kill' | 'Restart' | 'Pause' | 'Resume', node: string): Promise<void>;
  partition(groups: string): Promise<void>;
}

const node = (id: string) => `node${id}`;

/**
 * The learner's path through each lesson. The count of steps must match the lesson's learner
 * cells: a lesson that gains or loses one fails here until its walk is updated.
 */
const WALKS: Record<string, Walk> = {
  '01-meet-your-cluster': { steps: [{ pick: 'n3' }, { pick: 'none' }] },
  '02-electing-a-leader': {
    steps: [
      { pick: 'same' },
      { act: async (l) => l.panel('Pause', await l.leader()) },
      {
        pick: 'leader',
      },
    ],
  },
  // Lessons 2½ and 12–16 have no learner cells yet (no predict, choose or act): the learner runs
  // every cell with its own Run button and every check must pass.
  '02b-election-message-by-message': { steps: [] },
  '03-replicating-a-command': {
    steps: [
      { act: async (l) => l.panel('Kill', node(await l.captured('victim'))) },
      { pick: 'waits' },
      { act: async (l) => l.panel('Restart', node(await l.captured('victim'))) },
    ],
  },
  '04-talking-to-a-follower': {
    steps: [
      { pick: 'forward' },
      {
        act: async (l) => {
          for (const n of ['node5', 'node4', 'node3', 'node2', 'node1']) await l.panel('Kill', n);
          await l.panel('Restart', 'node1');
        },
      },
      { pick: 'follower' },
    ],
  },
  '05-crashing-the-leader': {
    steps: [{ pick: 'maybe' }, { act: async (l) => l.panel('Kill', await l.leader()) }],
  },
  '06-coming-back': {
    steps: [
      { act: async (l) => l.panel('Kill', node(await l.captured('b'))) },
      { pick: 'success' },
      { pick: 'kept' },
    ],
  },
  '07-losing-the-majority': {
    steps: [
      {
        // Not the lesson's default three: the last three followers in the panel.
        act: async (l) => {
          for (const f of (await l.followers()).slice(-3)) await l.panel('Kill', f);
        },
      },
      { pick: 'lost' },
    ],
  },
  '08-split-brain-that-isnt': {
    steps: [
      { pick: 'old' },
      {
        // The learner keeps the highest-numbered follower with the old leader (the lesson's
        // default keeps its first peer).
        act: async (l) => {
          const old = node(await l.captured('old_leader'));
          const others = ['node1', 'node2', 'node3', 'node4', 'node5'].filter((n) => n !== old);
          const mate = others.at(-1)!;
          await l.partition(`${old},${mate} | ${others.filter((n) => n !== mate).join(',')}`);
        },
      },
    ],
  },
  '09-durability': {
    steps: [
      {
        act: async (l) => {
          for (const n of ['node1', 'node2', 'node3', 'node4', 'node5']) await l.panel('Kill', n);
        },
      },
      { pick: 'same' },
    ],
  },
  '10-raft-by-hand': {
    steps: [{ pick: 'ignore' }],
    // The learner picks their own term (only digits typed: the editor closes quotes by itself).
    edits: { 'fake-vote': { at: '"term": 100,', from: '100', to: '250' } },
    captures: { fake_term: '250' },
  },
  '11-figure-8': {
    steps: [
      { act: async (l) => l.panel('Kill', node(await l.captured('s1'))) },
      { pick: 'yes' },
      { pick: 's5' },
    ],
  },
  '12-the-disruptive-server': { steps: [] },
  '13-reading-safely': { steps: [] },
  '14-snapshots': { steps: [] },
  '15-growing-the-cluster': { steps: [] },
  '16-handing-over-leadership': { steps: [] },
};

async function snapshot(): Promise<ClusterSnapshot> {
  const res = await fetch(`${t.lab.url}/api/cluster`);
  return ((await res.json()) as { snapshot: ClusterSnapshot }).snapshot;
}

async function lessonCells(id: string): Promise<{ id: string; type: string; source: string }[]> {
  const lesson = (await (await fetch(`${t.lab.url}/api/lessons/${id}`)).json()) as {
    blocks: { kind: string; cell?: { id: string; type: string; source: string } }[];
  };
  return lesson.blocks.flatMap((b) => (b.cell ? [b.cell] : []));
}

const cellAt = (id: string) => t.page.locator(`notebook-cell section[data-cell-id="${id}"]`);

/** The panel is idle again: its buttons are enabled (an action disables them while it runs). */
async function panelIdle(): Promise<void> {
  await waitFor(
    'the cluster panel to finish its action',
    async () => t.page.locator('cluster-panel partition-control button[type="submit"]').isEnabled(),
    { timeoutMs: CELL_TIMEOUT_MS, intervalMs: 100 },
  );
  const error = t.page.locator('cluster-panel .error');
  if (await error.count()) throw new Error(`the panel said: ${await error.textContent()}`);
}

const learner: Learner = {
  async captured(name) {
    const item = t.page.locator('http-output li', { hasText: `captured ${name} =` }).last();
    const text = (await item.textContent()) ?? '';
    const m = new RegExp(`captured\\s+${name}\\s+=\\s+(.+)$`).exec(text.trim());
    if (!m) throw new Error(`no output shows a captured ${name} (saw "${text}")`);
    const value = JSON.parse(m[1]!) as unknown;
    return String(value);
  },
  async leader() {
    const s = await snapshot();
    const leader = s.nodes.find((n) => n.id === s.leaderId);
    if (!leader) throw new Error('no node is marked LEADER');
    return leader.name;
  },
  async followers() {
    const s = await snapshot();
    return s.nodes.filter((n) => n.status?.state === 'follower').map((n) => n.name);
  },
  async panel(verb, name) {
    await t.page.locator(`cluster-panel node-card button[aria-label="${verb} ${name}"]`).click();
    await panelIdle();
    const done: Record<typeof verb, (n: ClusterSnapshot['nodes'][number]) => boolean> = {
      Kill: (n) => !n.up,
      Restart: (n) => n.up && n.status !== null,
      Pause: (n) => n.paused,
      Resume: (n) => !n.paused,
    };
    await waitFor(
      `${name} to be ${verb.toLowerCase()}ed in the cluster`,
      async () => {
        const n = (await snapshot()).nodes.find((x) => x.name === name);
        return n !== undefined && done[verb](n);
      },
      { timeoutMs: CELL_TIMEOUT_MS, intervalMs: 100 },
    );
  },
  async partition(groups) {
    const input = t.page.locator('cluster-panel partition-control input#groups');
    await input.fill(groups);
    await t.page.locator('cluster-panel partition-control button[type="submit"]').click();
    await panelIdle();
  },
};

/** Runs a cell with its own Run button and waits for its new output. */
async function runCell(id: string): Promise<void> {
  const cell = cellAt(id);
  await cell.scrollIntoViewIfNeeded();
  const count = cell.locator('.count');
  const before = await count.getAttribute('aria-label');
  await cell.locator('button.run').click();
  await waitFor(
    `cell ${id} to finish`,
    async () => {
      const label = await count.getAttribute('aria-label');
      return label !== 'running' && label !== before && label?.startsWith('run number');
    },
    { timeoutMs: CELL_TIMEOUT_MS, intervalMs: 100 },
  );
}

async function outputOk(cell: Locator): Promise<{ ok: boolean; text: string }> {
  const out = cell.locator('.output').last();
  await out.waitFor({ timeout: CELL_TIMEOUT_MS });
  // The output says which line failed and what was seen: that is what a failure must show.
  return {
    ok: (await out.getAttribute('data-ok')) === 'true',
    text: ((await out.textContent()) ?? '').replace(/\s+/g, ' ').slice(0, 3000),
  };
}

/** Answers a predict or choose cell by clicking the option and the answer button. */
async function answer(id: string, key: string): Promise<void> {
  const cell = cellAt(id);
  await cell.scrollIntoViewIfNeeded();
  const count = cell.locator('.count');
  const before = await count.getAttribute('aria-label');
  await cell.locator(`learner-step input[value="${key}"]`).check();
  await cell.locator('learner-step button[data-step="answer"]').click();
  await waitFor(
    `the answer to ${id} to be taken`,
    async () => {
      const label = await count.getAttribute('aria-label');
      return label !== 'running' && label !== before && label?.startsWith('run number');
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** Edits a cell in its Monaco editor as a learner does: select the text and type over it. */
async function edit(id: string, change: { at: string; from: string; to: string }, source: string) {
  const { at, from, to } = change;
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes(at));
  if (line < 0) throw new Error(`cell ${id} has no \`${at}\` to edit`);
  const column = lines[line]!.indexOf(at) + at.indexOf(from);
  const cell = cellAt(id);
  await cell.scrollIntoViewIfNeeded();
  await cell.locator('.monaco-editor').waitFor();
  await cell.locator('.monaco-editor .view-lines').click();
  await t.page.keyboard.press('Control+Home');
  for (let i = 0; i < line; i++) await t.page.keyboard.press('ArrowDown');
  await t.page.keyboard.press('Home');
  for (let i = 0; i < column; i++) await t.page.keyboard.press('ArrowRight');
  for (let i = 0; i < from.length; i++) await t.page.keyboard.press('Shift+ArrowRight');
  await t.page.keyboard.type(to);
  await waitFor(
    `the edit of ${id} to be saved`,
    async () =>
      (await lessonCells(currentLesson)).find((c) => c.id === id)?.source.includes(at.replace(from, to)),
    { timeoutMs: 10_000, intervalMs: 100 },
  );
}

let currentLesson = '';

async function openLesson(id: string): Promise<void> {
  currentLesson = id;
  await openLessonFromList(t.page, id);
}

async function walk(id: string): Promise<void> {
  const plan = WALKS[id];
  if (!plan) throw new Error(`no learner's walk for lesson ${id}: add it to WALKS`);
  await openLesson(id);
  // A lesson opens at its top: its title is on screen.
  await expect.poll(async () => t.page.locator('notebook-view h1').first().isVisible()).toBe(true);
  const cells = await lessonCells(id);
  const learnerCells = cells.filter((c) => ['predict', 'choose', 'act'].includes(c.type));
  expect(
    learnerCells.map((c) => c.type),
    `the walk of ${id} has a step for each learner cell`,
  ).toHaveLength(plan.steps.length);
  const decidedBy = new Map<string, string[]>(); // deciding cell → the predict cells it decides
  let step = 0;
  for (const [i, c] of cells.entries()) {
    const cell = cellAt(c.id);
    if (c.type === 'predict' || c.type === 'choose') {
      const s = plan.steps[step++]!;
      if (!('pick' in s)) throw new Error(`step ${step} of ${id} should pick an option for ${c.id}`);
      await answer(c.id, s.pick);
      if (c.type === 'predict') {
        const after = /^after:\s*(\S+)/m.exec(c.source)?.[1] ?? cells[i + 1]!.id;
        decidedBy.set(after, [...(decidedBy.get(after) ?? []), c.id]);
      }
      continue;
    }
    if (c.type === 'act') {
      const s = plan.steps[step++]!;
      if (!('act' in s)) throw new Error(`step ${step} of ${id} should act for ${c.id}`);
      await cell.scrollIntoViewIfNeeded();
      await s.act(learner);
      const count = cell.locator('.count');
      const before = await count.getAttribute('aria-label');
      await cell.locator('learner-step button[data-step="check"]').click();
      await waitFor(
        `the check of ${c.id}`,
        async () => {
          const label = await count.getAttribute('aria-label');
          return label !== 'running' && label !== before && label?.startsWith('run number');
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const out = await outputOk(cell);
      expect(out.ok, `${id} ${c.id}: the learner's own action proves the step\n${out.text}`).toBe(true);
      expect((await cell.locator('learner-step .outcome').textContent()) ?? '').not.toContain(
        'The lab did it for you',
      );
      continue;
    }
    const change = plan.edits?.[c.id];
    if (change) await edit(c.id, change, c.source);
    await runCell(c.id);
    const out = await outputOk(cell);
    expect(out.ok, `${id} ${c.id} (${c.type}, line ${c.source.split('\n')[0]})\n${out.text}`).toBe(true);
    for (const predictId of decidedBy.get(c.id) ?? []) {
      const outcome = cellAt(predictId).locator('learner-step .outcome');
      await outcome.waitFor({ timeout: 30_000 });
      const verdict = (await outcome.textContent()) ?? '';
      expect(verdict, `${id}: the cluster decided prediction ${predictId}`).not.toContain(
        'None of the answers happened',
      );
      expect(verdict).toMatch(/Right|Not this time/);
      // The page as the learner sees it once the cluster decided the prediction, for a person to look at.
      await cellAt(predictId).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await t.page.screenshot({ path: join(SCREENSHOTS, `walk-${id}-${predictId}.png`) });
    }
  }
  for (const [name, value] of Object.entries(plan.captures ?? {}))
    expect(await learner.captured(name), `${id}: captured ${name}`).toBe(value);
  // The lesson list counts every check the learner passed.
  const checks = cells.filter((c) => c.type === 'check').length;
  const progress = t.page.locator(`lesson-list a[href="#/lesson/${encodeURIComponent(id)}"]`);
  await expect
    .poll(async () => (await progress.textContent())?.replace(/\s+/g, ' '), { timeout: 10_000 })
    .toContain(`✓ ${checks}/${checks} checks passed`);
  await t.page.screenshot({ path: join(SCREENSHOTS, `walk-${id}.png`) });
}

describe('every lesson, walked by a learner in the browser', () => {
  it('has a walk for every lesson of the course', async () => {
    const list = (await (await fetch(`${t.lab.url}/api/lessons`)).json()) as { id: string }[];
    expect(list.map((l) => l.id).sort()).toEqual(Object.keys(WALKS).sort());
  });

  for (const id of Object.keys(WALKS)) {
    it(`walks ${id}: its steps done by hand, its predictions answered, every check passing`, async () => {
      await walk(id);
    }, 1_200_000);
  }

  it('raised no uncaught error in the page', () => {
    expect(t.pageErrors).toEqual([]);
  });
});
