// What a lesson parser (a lesson, a cell) threw for bad source: the parser tests check the
// LessonError's problems, their lines and messages.
import { LessonError } from '../../server/lessons/lesson-error.ts';

/** The LessonError `parse` throws; fails the test when it throws another error or none. */
export function lessonErrorOf(parse: () => unknown): LessonError {
  try {
    parse();
  } catch (e) {
    if (e instanceof LessonError) return e;
    throw e;
  }
  throw new Error('expected a LessonError, and the source parsed');
}
