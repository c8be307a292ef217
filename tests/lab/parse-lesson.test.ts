import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../server/lessons/parse-lesson.ts';
import { lessonErrorOf } from './lesson-error-of.ts';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);

const problemsOf = (text: string, file = 'lessons/x.md') =>
  lessonErrorOf(() => parseLesson(text, file)).problems;

describe('parseLesson', () => {
  it('reads front matter, prose and cells with their fence lines and ids', () => {
    const file = 'tests/fixtures/lessons/01-fixture-status.md';
    const lesson = parseLesson(readFileSync(fixture('lessons/01-fixture-status.md'), 'utf8'), file);
    expect(lesson).toMatchObject({
      id: '01-fixture-status',
      file,
      title: 'Fixture — reading status',
      order: 1,
      nodes: 5,
    });
    expect(lesson.summary).toContain('tiny lesson');
    const kinds = lesson.blocks.map((b) =>
      b.kind === 'cell' ? `${b.cell.type}:${b.cell.id}@${b.cell.line}` : 'prose',
    );
    expect(kinds).toEqual(['prose', 'http:status@12', 'cluster:c2@23', 'http:c3@27', 'check:c4@37']);
    const first = lesson.blocks[1];
    expect(first?.kind === 'cell' && first.cell.source.startsWith('GET {{node1}}/status')).toBe(true);
    expect(lesson.blocks[0]).toEqual({
      kind: 'prose',
      markdown: "# Reading a node's status\n\nEvery node answers `GET /status`.",
    });
  });

  it('keeps other fenced blocks (json, bash) as prose', () => {
    const lesson = parseLesson('---\ntitle: T\n---\n\n```json\n{"a": 1}\n```\n\ntext\n', 'l.md');
    expect(lesson.blocks).toEqual([{ kind: 'prose', markdown: '```json\n{"a": 1}\n```\n\ntext' }]);
  });

  it('takes the order from the file name when the front matter has none, and defaults nodes to 5', () => {
    const lesson = parseLesson('---\ntitle: T\n---\n', 'lessons/07-x.md');
    expect(lesson).toMatchObject({ order: 7, nodes: 5, summary: '' });
  });

  it('names file and line of every malformed cell', () => {
    const file = 'tests/fixtures/broken-lessons/bad-cells.md';
    const problems = problemsOf(readFileSync(fixture('broken-lessons/bad-cells.md'), 'utf8'), file);
    expect(problems.map((p) => [p.file, p.line])).toEqual([
      [file, 12],
      [file, 16],
      [file, 20],
    ]);
    expect(problems[0]!.message).toContain('is not a predicate');
    expect(problems[1]!.message).toContain('unknown action `kil`');
    expect(problems[2]!.message).toContain('expected an operator');
  });

  it('reports a missing front matter and a missing title', () => {
    expect(problemsOf('# no front matter\n')[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining('front matter'),
    });
    expect(problemsOf('---\nsummary: s\n---\n')[0]).toMatchObject({
      line: 2,
      message: expect.stringContaining('title'),
    });
  });

  it('reports bad front matter values and YAML syntax with their lines', () => {
    const p = problemsOf('---\ntitle: T\norder: first\nnodes: 40\n---\n');
    expect(p.map((x) => x.line)).toEqual([3, 4]);
    const y = problemsOf('---\ntitle: T\nsummary: [unclosed\n---\n');
    expect(y[0]!.message).toMatch(/^front matter:/);
  });

  it('rejects duplicate cell ids, bad fence attributes and unclosed fences', () => {
    const dup = problemsOf(
      '---\ntitle: T\n---\n```http id=a\nGET {{node1}}/status\n```\n```cluster id=a\nheal\n```\n',
    );
    expect(dup).toEqual([
      { file: 'lessons/x.md', line: 7, message: expect.stringContaining('two cells have the id `a`') },
    ]);
    const attr = problemsOf('---\ntitle: T\n---\n```http name=a\nGET {{node1}}/status\n```\n');
    expect(attr[0]).toMatchObject({ line: 4, message: expect.stringContaining('unknown fence attribute') });
    const open = problemsOf('---\ntitle: T\n---\n\n```cluster\nheal\n');
    expect(open[0]).toMatchObject({ line: 5, message: expect.stringContaining('never closed') });
  });

  it('counts lines through Windows line endings', () => {
    const lesson = parseLesson('---\r\ntitle: T\r\n---\r\n\r\n```cluster\r\nheal\r\n```\r\n', 'l.md');
    expect(lesson.blocks[0]).toMatchObject({ kind: 'cell', cell: { line: 5, source: 'heal' } });
  });
});
