// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { LessonList, lessonNumber } from './lesson-list.ts';

describe('lesson list', () => {
  it('numbers a lesson by its order, so an inserted lesson does not renumber the ones after it', async () => {
    expect(lessonNumber(2)).toBe('2');
    expect(lessonNumber(2.5)).toBe('2½');
    expect(lessonNumber(3.25)).toBe('3.25');
    const el = new LessonList();
    const lesson = (id: string, order: number) => ({
      id,
      order,
      title: id,
      summary: '',
      cells: 0,
      checks: 0,
    });
    el.lessons = [lesson('two', 2), lesson('between', 2.5), lesson('three', 3)];
    document.body.append(el);
    await el.updateComplete;
    const titles = [...el.shadowRoot!.querySelectorAll('.title')].map((t) => t.textContent);
    expect(titles).toEqual(['2. two', '2½. between', '3. three']);
    el.remove();
  });
});
