// Debian's Chromium for the browser tests and the web budgets (never `npx playwright install`),
// and the built web app they need: one place says how to get either when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const root = new URL('../..', import.meta.url).pathname;

/** Launches headless Chromium; throws saying how to install it when it is not there. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}. Install Debian's: apt-get update && apt-get install -y chromium`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Builds web/dist when it is missing (the lab serves it). */
export function ensureWebBuild(): void {
  if (existsSync(join(root, 'web/dist/index.html'))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed; the browser tests need the built web app.');
}
