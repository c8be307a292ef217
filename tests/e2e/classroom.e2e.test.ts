// Classroom mode in a real browser: two learners in two browser contexts join through the
// join page, each gets their own notebook and cluster, and the instructor's dashboard (a third
// context, signed in with the printed link) shows both; the projector shows a learner's
// cluster. Screenshots land in test-results/screenshots/classroom-*.png.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INSTRUCTOR_TOKEN,
  JOIN_CODE,
  startTestClassroom,
  type TestClassroom,
} from '../lab/start-test-classroom.ts';
import { waitFor } from '../support/wait-for.ts';

const root = new URL('../..', import.meta.url).pathname;
const SHOTS = join(root, 'test-results/screenshots');
const CHROMIUM = '/usr/bin/chromium';

let t: TestClassroom | null = null;
let browser: Browser | null = null;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}. Install Debian's: apt-get update && apt-get install -y chromium`,
    );
  if (!existsSync(join(root, 'web/dist/dashboard.html'))) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed; the e2e test needs the built web app.');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestClassroom(17601, {}, join(root, 'lessons'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
}, 120_000);

async function joinAs(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  await page.goto(t!.lab.url);
  expect(new URL(page.url()).pathname).toBe('/join');
  await page.fill('#name', name);
  await page.fill('#code', JOIN_CODE);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/');
  return { context, page };
}

describe('classroom in the browser', { timeout: 600_000 }, () => {
  it('two learners in two browsers, each with their own cluster; the dashboard shows both', async () => {
    const ada = await joinAs('Ada Lovelace');
    const bob = await joinAs('Bob');
    // Each notebook's live panel shows a leader of that learner's own cluster.
    for (const p of [ada.page, bob.page]) {
      await p.waitForSelector('cluster-panel', { state: 'attached', timeout: 120_000 });
      await waitFor(
        'a leader in the live panel',
        () =>
          p.evaluate(() =>
            Boolean(
              (window as unknown as { raftLab: { live: { snapshot: { leaderId: string | null } | null } } })
                .raftLab.live.snapshot?.leaderId,
            ),
          ),
        { timeoutMs: 300_000, intervalMs: 500 },
      );
    }
    const urls = await Promise.all(
      [ada.page, bob.page].map((p) =>
        p.evaluate(() =>
          (
            window as unknown as { raftLab: { live: { snapshot: { nodes: { url: string }[] } } } }
          ).raftLab.live.snapshot.nodes.map((n) => n.url),
        ),
      ),
    );
    expect(urls[0]!.filter((u) => urls[1]!.includes(u))).toEqual([]);
    await ada.page.screenshot({ path: join(SHOTS, 'classroom-learner.png') });

    const instructor = await browser!.newContext({ viewport: { width: 1400, height: 600 } });
    const dash = await instructor.newPage();
    await dash.goto(`${t!.lab.url}/classroom/dashboard?token=${INSTRUCTOR_TOKEN}`);
    expect(dash.url()).not.toContain('token=');
    await dash.waitForSelector('text=Ada Lovelace');
    await dash.waitForSelector('text=Bob');
    await waitFor('both rows to show a leader', async () => (await dash.locator('td span.ok').count()) >= 2, {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    await dash.screenshot({ path: join(SHOTS, 'classroom-dashboard.png'), fullPage: true });

    const projector = await instructor.newPage();
    await projector.setViewportSize({ width: 1280, height: 900 });
    const adaId = t!.classroom.roster.learners().find((l) => l.name === 'Ada Lovelace')!.id;
    await projector.goto(`${t!.lab.url}/classroom/projector?member=${adaId}`);
    await projector.waitForSelector('text=leader', { timeout: 30_000 });
    await projector.screenshot({ path: join(SHOTS, 'classroom-projector.png') });

    // A learner cannot open the instructor's pages.
    const denied = await bob.page.goto(`${t!.lab.url}/classroom/dashboard`);
    expect(denied?.status()).toBe(403);
    await Promise.all([ada.context.close(), bob.context.close(), instructor.close()]);
  });
});
