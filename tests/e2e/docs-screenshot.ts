// The README's picture (docs/screenshot.png): lesson 2 mid-way, as a learner leaves it — cells run
// one by one, the "freeze the leader" prediction answered, the leader paused with the panel's
// button, and the check that decides the prediction run, so the verdict shows beside a cluster
// with a paused node and a new leader in a higher term. Not a test; run it when the look changes:
//   ip netns exec <your-ns> npx tsx tests/e2e/docs-screenshot.ts [--lessons DIR] [--out FILE]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startLab } from './lab-process.ts';

const root = new URL('../..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    lessons: { type: 'string', default: 'lessons' },
    out: { type: 'string', default: resolve(root, 'docs/screenshot.png') },
    lesson: { type: 'string', default: '02-electing-a-leader' },
    answer: { type: 'string', default: 'higher' },
  },
});

const lab = await startLab({ port: 17800, basePort: 17810, lessons: resolve(values.lessons) });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(lab.url);
  await page.waitForSelector('lesson-list a');
  const id = values.lesson;
  const lesson = (await (await fetch(`${lab.url}/api/lessons/${id}`)).json()) as {
    blocks: { cell?: { id: string; type: string } }[];
  };
  await page.click(`lesson-list a[href="#/lesson/${id}"]`);
  await page.waitForFunction(
    (l) =>
      (document.querySelector('notebook-view') as unknown as { lesson?: { id: string } })?.lesson?.id === l,
    id,
  );
  const cells = lesson.blocks.flatMap((b) => (b.cell ? [b.cell] : []));
  const cell = (cid: string) => page.locator(`section[data-cell-id="${cid}"]`);
  const ranOk = (cid: string) => cell(cid).locator('.output[data-ok="true"]').waitFor({ timeout: 90_000 });
  // Every cell before the first prediction, one by one, as a learner does.
  const p = cells.findIndex((c) => c.type === 'predict');
  if (p < 0) throw new Error(`lesson ${id} in ${values.lessons} has no predict cell`);
  for (const c of cells.slice(0, p)) {
    await cell(c.id).locator('button.run').click();
    await ranOk(c.id);
  }
  const step = cell(cells[p].id).locator('learner-step');
  await step.locator(`input[value="${values.answer}"]`).check();
  await step.locator('button[data-step="answer"]').click();
  await step.locator('.note', { hasText: 'Locked in' }).waitFor();
  // The act step, done as the lesson asks: Pause on the leader's card.
  const info = (await (await fetch(`${lab.url}/api/cluster`)).json()) as { snapshot: { leaderId: string } };
  await page.click(`node-card button[aria-label="Pause node${info.snapshot.leaderId}"]`);
  // The deciding cell: the first check after the prediction's act step.
  const decider = cells.slice(p + 1).find((c) => c.type === 'check')!;
  await cell(decider.id).locator('button.run').click();
  await step.locator('.outcome').waitFor({ timeout: 90_000 });
  await ranOk(decider.id);
  await step.scrollIntoViewIfNeeded();
  await page.evaluate(() => {
    (document.querySelector('main#notebook') as HTMLElement).scrollTop -= 120;
  });
  // Let the message timeline draw a few heartbeats of the new leader.
  await page.waitForTimeout(1500);
  await page.screenshot({ path: values.out });
  console.log(`wrote ${values.out}`);
} finally {
  await browser.close();
  await lab.stop();
}
