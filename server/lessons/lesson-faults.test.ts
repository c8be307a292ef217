import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { faultsNeeded } from './lesson-faults.ts';
import { parseLesson } from './parse-lesson.ts';

const lesson = (file: string) => parseLesson(readFileSync(`lessons/${file}`, 'utf8'), `lessons/${file}`);

describe('the faults a lesson needs', () => {
  it('lesson 15 needs a backend that can add, promote and remove a node (dissertation §4.1)', () => {
    expect(faultsNeeded(lesson('15-growing-the-cluster.md'))).toEqual(
      expect.arrayContaining(['add', 'promote', 'remove']),
    );
  });

  it('lesson 2½ needs message-level control, and waits need nothing', () => {
    const needed = faultsNeeded(lesson('02b-election-message-by-message.md'));
    expect(needed).toEqual(expect.arrayContaining(['messages', 'timers']));
    expect(needed).not.toContain('wait-leader');
  });

  it('lesson 1 needs no membership change and no message-level control', () => {
    const needed = faultsNeeded(lesson('01-meet-your-cluster.md'));
    for (const f of ['add', 'remove', 'wipe', 'messages', 'links', 'timers'] as const)
      expect(needed).not.toContain(f);
  });
});
