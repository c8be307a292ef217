// The notebook in a real browser against the real lab and its real five-node cluster:
// open it, Run all on the first lessons and see every check pass, edit a cell and re-run
// it, kill the leader from the panel and see a new one elected, reload and find the edit.
// Each step leaves a screenshot in test-results/screenshots/ for a person to look at;
// RAFT_LAB_DOCS_SCREENSHOT=1 also refreshes docs/screenshot.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.ts';
import { ensureWebBuild, launchChromium } from './chromium.ts';
import { type LabProcess, startLab } from './lab-process.ts';

const root = new URL('../..', import.meta.url).pathname;
const SHOTS = join(root, 'test-results/screenshots');
const LAB_PORT = 17300;
const NODE_BASE_PORT = 17310;
/** How many lessons, from the first, are run top to bottom. */
const LESSONS_TO_RUN = 3;

let lab: LabProcess | null = null;
let browser: Browser | null = null;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureWebBuild();
  mkdirSync(SHOTS, { recursive: true });
  lab = await startLab({ port: LAB_PORT, basePort: NODE_BASE_PORT });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
}, 60_000);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function clusterInfo(): Promise<{
  nodes: { name: string; url: string }[];
  snapshot: { leaderId: string | null };
}> {
  const res = await fetch(`${lab!.url}/api/cluster`);
  return (await res.json()) as {
    nodes: { name: string; url: string }[];
    snapshot: { leaderId: string | null };
  };
}

async function lessons(): Promise<{ id: string; title: string; checks: number }[]> {
  return (await (await fetch(`${lab!.url}/api/lessons`)).json()) as {
    id: string;
    title: string;
    checks: number;
  }[];
}

async function openLesson(id: string): Promise<void> {
  await page.click(`lesson-list a[href="#/lesson/${encodeURIComponent(id)}"]`);
  // The lesson arrives from the lab after the click: wait for the notebook to show it.
  await page.waitForFunction(
    (lessonId) =>
      (document.querySelector('notebook-view') as unknown as { lesson?: { id: string } })?.lesson?.id ===
      lessonId,
    id,
  );
  await page.waitForSelector('notebook-cell section[data-cell-id]');
}

/** The cell section whose source starts with `prefix` (as the lab has it). */
async function cellIdStartingWith(lessonId: string, prefix: string): Promise<string> {
  const lesson = (await (await fetch(`${lab!.url}/api/lessons/${lessonId}`)).json()) as {
    blocks: { kind: string; cell?: { id: string; source: string } }[];
  };
  const cell = lesson.blocks.find((b) => b.cell?.source.startsWith(prefix))?.cell;
  if (!cell) throw new Error(`lesson ${lessonId} has no cell starting with ${prefix}`);
  return cell.id;
}

describe('the notebook, end to end', () => {
  it('opens with the lesson list, the first lesson and a connected lab', async () => {
    await page.goto(lab!.url);
    await page.waitForSelector('lesson-list a');
    await page.waitForSelector('notebook-cell section[data-cell-id]');
    await page.waitForFunction(() =>
      document
        .querySelector('lab-status-pill')
        ?.shadowRoot?.querySelector('[data-testid=lab-status]')
        ?.textContent?.includes('Lab connected'),
    );
    await page.waitForSelector('cluster-panel node-card');
    expect(await page.locator('cluster-panel node-card').count()).toBe(5);
    await shot('01-open');
  });

  it(`runs the first ${LESSONS_TO_RUN} lessons with Run all and sees ✓ on every check`, async () => {
    const list = (await lessons()).slice(0, LESSONS_TO_RUN);
    for (const [i, lesson] of list.entries()) {
      await openLesson(lesson.id);
      await page.click('notebook-toolbar button[data-action="run-all"]');
      await waitFor(
        `Run all to finish in lesson ${lesson.id}`,
        async () => /Ran \d+ cells|Stopped at/.test((await page.textContent('notebook-view .note')) ?? ''),
        { timeoutMs: 240_000, intervalMs: 100 },
      );
      const note = (await page.textContent('notebook-view .note')) ?? '';
      const checks = page.locator('section[data-cell-type="check"] .output');
      const oks = await checks.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.ok));
      await shot(`02-lesson-${i + 1}-run-all`);
      expect(note, `lesson ${lesson.id}`).toMatch(/Ran \d+ cells/);
      expect(oks, `checks of ${lesson.id}`).toEqual(Array(lesson.checks).fill('true'));
      const summaries = await page
        .locator('section[data-cell-type="check"] check-output')
        .evaluateAll((els) =>
          els.map((e) => e.shadowRoot?.querySelector('.summary')?.textContent?.trim() ?? ''),
        );
      for (const s of summaries) expect(s).toMatch(/^✓ All \d+ checks passed$/);
      const progress = await page.textContent(
        `lesson-list a[href="#/lesson/${encodeURIComponent(lesson.id)}"]`,
      );
      expect(progress).toContain(`✓ ${lesson.checks}/${lesson.checks} checks passed`);
    }
  }, 900_000);

  it('edits a cell in its editor and re-runs it with Shift+Enter', async () => {
    const [first] = await lessons();
    await openLesson(first.id);
    const cellId = await cellIdStartingWith(first.id, 'GET {{node1}}/status');
    const cell = page.locator(`section[data-cell-id="${cellId}"]`);
    await cell.locator('.monaco-editor').waitFor();
    await cell.locator('.monaco-editor .view-lines').click();
    // "GET {{node1}}/status": put the cursor after the 1 and make it a 2.
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    for (let i = 0; i < '}}/status'.length; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('2');
    await page.keyboard.press('Shift+Enter');
    const node2 = (await clusterInfo()).nodes.find((n) => n.name === 'node2')!;
    await waitFor(
      'the edited request to be sent to node2',
      async () =>
        (await cell.locator('http-output .line').allTextContents()).some((t) =>
          t.includes(`${node2.url}/status`),
        ),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await cell.locator('.output[data-ok]').waitFor();
    expect(await cell.locator('.output').getAttribute('data-ok')).toBe('true');
    const saved = (await (await fetch(`${lab!.url}/api/lessons/${first.id}`)).json()) as {
      blocks: { cell?: { id: string; source: string; edited: boolean } }[];
    };
    const savedCell = saved.blocks.find((b) => b.cell?.id === cellId)!.cell!;
    expect(savedCell.source.startsWith('GET {{node2}}/status')).toBe(true);
    expect(savedCell.edited).toBe(true);
    await cell.scrollIntoViewIfNeeded();
    await shot('03-edited-cell-rerun');
  }, 60_000);

  it('adds a scratch cell below a cell, runs it and deletes it', async () => {
    const before = await page.locator('section[data-cell-id]').count();
    const anchor = page.locator('section[data-cell-type="check"]').first();
    await anchor.locator('button', { hasText: '+ Cell below' }).click();
    const scratch = page
      .locator('section[data-cell-id]')
      .filter({ has: page.locator('.badge', { hasText: 'scratch' }) });
    await scratch.waitFor();
    expect(await page.locator('section[data-cell-id]').count()).toBe(before + 1);
    // The new cell comes right after the one whose button was pressed.
    const order = await page
      .locator('section[data-cell-id]')
      .evaluateAll((els) =>
        els.map((e) => (e as HTMLElement).dataset.cellType + (e.querySelector('.badge')?.textContent ?? '')),
      );
    expect(order[order.indexOf('check') + 1]).toBe('httpscratch');
    await scratch.locator('button.run').click();
    await scratch.locator('.output[data-ok="true"]').waitFor({ timeout: 20_000 });
    await shot('04a-scratch-cell');
    await scratch.locator('button', { hasText: 'Delete' }).click();
    await waitFor(
      'the scratch cell to go',
      async () => (await page.locator('section[data-cell-id]').count()) === before,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  }, 60_000);

  it("kills the leader with the panel's button and sees a new leader elected", async () => {
    const info = await clusterInfo();
    const old = info.nodes.find((n) => n.name === `node${info.snapshot.leaderId}`)!;
    await page.click(`node-card button[aria-label="Kill ${old.name}"]`);
    await waitFor(
      `a leader other than ${old.name}`,
      async () => {
        const text = await page.locator('lab-status-pill [data-testid=cluster-status]').textContent();
        const m = /Leader (node\d+)/.exec(text ?? '');
        return !!m && m[1] !== old.name;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const history = await page.locator('action-history li').allTextContents();
    expect(history.join('\n')).toContain(`kill ${old.name}`);
    const downLabel = await page
      .locator(`node-card`)
      .filter({ hasText: old.name })
      .locator('.role')
      .textContent();
    expect(downLabel).toContain('DOWN');
    await page.locator('section[data-cell-type="http"] http-output').first().scrollIntoViewIfNeeded();
    await shot('04-new-leader-after-kill');
    // The README's picture: a lesson with outputs beside a cluster that just lost its leader.
    if (process.env.RAFT_LAB_DOCS_SCREENSHOT)
      await page.screenshot({ path: join(root, 'docs/screenshot.png') });
    await page.click(`node-card button[aria-label="Restart ${old.name}"]`);
    await waitFor(
      `${old.name} to come back`,
      async () =>
        ((await page.locator('lab-status-pill [data-testid=cluster-status]').textContent()) ?? '').includes(
          '5/5 up',
        ),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }, 90_000);

  it('finds the edit kept after a reload', async () => {
    const [first] = await lessons();
    const cellId = await cellIdStartingWith(first.id, 'GET {{node2}}/status');
    await page.reload();
    const cell = page.locator(`section[data-cell-id="${cellId}"]`);
    await cell.waitFor();
    await cell.locator('.monaco-editor').waitFor();
    const text = await cell
      .locator('cell-editor')
      .evaluate((el) => (el as HTMLElement & { source: string }).source);
    expect(text.startsWith('GET {{node2}}/status')).toBe(true);
    expect(await cell.locator('.badge').textContent()).toContain('edited');
    await cell.scrollIntoViewIfNeeded();
    await shot('05-edit-kept-after-reload');
  }, 60_000);

  it('raised no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
