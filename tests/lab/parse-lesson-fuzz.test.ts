// The lesson parser with random Markdown (fast-check): whatever a lesson file or a learner's edit
// says, parsing either gives a lesson or throws a LessonError whose every problem names the file,
// a line of it and what is wrong; never another exception, never a hang.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CELL_TYPES } from '../../server/contract/lab-api.ts';
import { LessonError } from '../../server/lessons/lesson-error.ts';
import { parseCell } from '../../server/lessons/parse-cell.ts';
import { parseLesson } from '../../server/lessons/parse-lesson.ts';
import { fuzzRuns } from '../support/fuzz-budget.ts';

const FILE = 'lessons/fuzz.md';

/** Lines a lesson is made of: the lesson language's words, broken ones, and anything at all. */
const line = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      '---',
      'title: T',
      'order: 1',
      `order: ${'9'.repeat(400)}`,
      'nodes: 5',
      'nodes: -1',
      'summary: [unclosed',
      '```http',
      '```http id=a',
      '```http id=a id=a',
      '```cluster',
      '```check',
      '```check timeout=5s',
      '```check timeout=99999999999999999999d',
      '```js',
      '```',
      '~~~http',
      '````',
      'GET {{node1}}/status',
      'POST {{leader}}/client_command',
      'GET http://example.com/',
      'GET {{',
      'GET {{}}',
      'Content-Type: application/json',
      '{"command": "set x=1"}',
      'HTTP 200',
      'HTTP *',
      'HTTP 99999999999',
      '[Asserts]',
      '[Captures]',
      '[Options]',
      'jsonpath "$.term" == 1',
      'jsonpath "$..*" isInteger',
      'jsonpath "$[" == 1',
      'jsonpath "$.a" matches /(a+)+$/',
      'jsonpath "$.a" matches /[/',
      'x: jsonpath "$.term"',
      'kill node1',
      'kill node99',
      'partition node1,node2 | node3',
      'partition | ',
      'wait leader 99999999999s',
      'wait 1e400s',
      'speed 0',
      'leaders == 1',
      'every node: kv.x == "42"',
      'logs match',
      'leader.term >= {{term_before}}',
      'hint: h',
      '<script>alert(1)</script>',
      '[x](javascript:alert(1))',
      '',
      '   ',
      '\t',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);
const markdown = fc
  .tuple(fc.array(line, { maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r'))
  .map(([lines, eol]) => lines.join(eol));

function expectLessonProblems(e: unknown, lineCount: number): void {
  expect(e).toBeInstanceOf(LessonError);
  const problems = (e as LessonError).problems;
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.file).toBe(FILE);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lineCount + 1);
    expect(p.message.trim()).not.toBe('');
  }
}

describe('lesson parser fuzzing', () => {
  it('parses any Markdown into a lesson or LessonError problems naming the file and a line of it', () => {
    fc.assert(
      fc.property(markdown, (text) => {
        const lineCount = text.split(/\r\n?|\n/).length;
        try {
          const lesson = parseLesson(text, FILE);
          expect(Array.isArray(lesson.blocks)).toBe(true);
        } catch (e) {
          expectLessonProblems(e, lineCount);
        }
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it.each(CELL_TYPES)('parses any %s cell source into a cell or LessonError problems', (type) => {
    fc.assert(
      fc.property(markdown, (source) => {
        try {
          parseCell(type, source, { file: FILE, firstLine: 1 });
        } catch (e) {
          expectLessonProblems(e, source.split('\n').length);
        }
      }),
      { numRuns: fuzzRuns(400) },
    );
  });
});
