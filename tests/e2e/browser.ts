// What the lesson walkthrough adds to the shared Chromium launcher (chromium.ts): a lesson opened
// from the list, as a learner opens it.
import type { Page } from 'playwright-core';

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
