// What every browser test of the notebook needs: Debian's Chromium, the built web app, a headless
// browser launched with the flags this shared machine needs, and a lesson opened from the list.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const root = new URL('../..', import.meta.url).pathname;
export const CHROMIUM = '/usr/bin/chromium';

/** Throws, saying what to install, when Chromium is missing; builds the web app if it is not built. */
export function requireChromiumAndWebBuild(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}. Install Debian's: apt-get update && apt-get install -y chromium`,
    );
  }
  if (!existsSync(join(root, 'web/dist/index.html'))) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed; the e2e test needs the built web app.');
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Opens a lesson by its link in the lesson list, as a learner does, and waits until it shows. */
export async function openLessonFromList(page: Page, id: string): Promise<void> {
  await page.click(`lesson-list a[href="#/lesson/${encodeURIComponent(id)}"]`);
  await page.waitForFunction(
    (lessonId) =>
      (document.querySelector('notebook-view') as unknown as { lesson?: { id: string } })?.lesson?.id ===
      lessonId,
    id,
  );
  await page.waitForSelector('notebook-cell section[data-cell-id]');
}
