// The set-up of a browser test file: the real lab (lab-process.ts) and one headless Chromium page
// on it (chromium.ts), made before the file's tests and closed after them, also when they fail.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ensureWebBuild, launchChromium } from './chromium.ts';
import { type LabOptions, type LabProcess, startLab } from './lab-process.ts';

/** Where browser tests leave their screenshots for a person to look at. */
export const SCREENSHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/screenshots');

export interface LabInChromium {
  /** The running lab (inside the file's tests and later hooks). */
  readonly lab: LabProcess;
  /** The page, blank until a test opens the lab in it. */
  readonly page: Page;
  /** Every uncaught error the page raised, in order. */
  readonly pageErrors: string[];
}

/**
 * Builds the web app if needed, starts a lab with `options` and opens a page of `viewport` size
 * (within `setupMs`, default 120 s); hooks the test file registers after this call run after it.
 */
export function labInChromium(
  options: LabOptions & { viewport: { width: number; height: number }; setupMs?: number },
): LabInChromium {
  const { viewport, setupMs = 120_000, ...labOptions } = options;
  let lab: LabProcess | null = null;
  let browser: Browser | null = null;
  let page: Page | null = null;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab(labOptions);
    browser = await launchChromium();
    page = await browser.newPage({ viewport });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, setupMs);
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  }, 60_000);
  const ready = <T>(what: string, value: T | null): T => {
    if (value === null) throw new Error(`the ${what} is not there: the set-up failed or has not run yet`);
    return value;
  };
  return {
    get lab() {
      return ready('lab', lab);
    },
    get page() {
      return ready('page', page);
    },
    pageErrors,
  };
}
