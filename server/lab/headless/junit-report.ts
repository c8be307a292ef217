// JUnit XML for CI systems: one <testsuite> per lesson, one <testcase> per cell.
import type { LessonOutcome } from './run-lessons.ts';

/** XML 1.0 cannot carry control characters other than tab, newline and carriage return. */
const printable = (s: string) =>
  [...s].filter((ch) => ch.charCodeAt(0) >= 0x20 || ch === '\t' || ch === '\n' || ch === '\r').join('');

const escapeXml = (s: string) =>
  printable(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitXml(lessons: LessonOutcome[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = lessons.flatMap((l) => l.cells);
  const lessonErrors = lessons.filter((l) => l.error !== null && l.status !== 'skipped').length;
  const failures = all.filter((c) => c.status === 'failed').length;
  const total = lessons.reduce((t, l) => t + l.durationMs, 0);
  out.push(
    `<testsuites name="lessons" tests="${all.length + lessonErrors}" failures="${failures}" errors="${lessonErrors}" time="${seconds(total)}">`,
  );
  for (const l of lessons) {
    const fails = l.cells.filter((c) => c.status === 'failed').length;
    const skipped = l.cells.filter((c) => c.status === 'skipped').length;
    if (l.status === 'skipped') {
      out.push(
        `  <testsuite name="${escapeXml(l.id)}" file="${escapeXml(l.file)}" tests="1" failures="0" errors="0" skipped="1" time="0.000">`,
        `    <testcase classname="${escapeXml(l.id)}" name="lesson" file="${escapeXml(l.file)}"><skipped message="${escapeXml(l.error ?? '')}"/></testcase>`,
        '  </testsuite>',
      );
      continue;
    }
    const errors = l.error ? 1 : 0;
    out.push(
      `  <testsuite name="${escapeXml(l.id)}" file="${escapeXml(l.file)}" tests="${l.cells.length + errors}" failures="${fails}" errors="${errors}" skipped="${skipped}" time="${seconds(l.durationMs)}">`,
    );
    if (l.error) {
      out.push(`    <testcase classname="${escapeXml(l.id)}" name="lesson" file="${escapeXml(l.file)}">`);
      out.push(`      <error message="${escapeXml(l.error.split('\n')[0]!)}">${escapeXml(l.error)}</error>`);
      out.push('    </testcase>');
    }
    for (const c of l.cells) {
      const name = `${c.cellId} (${c.type}, line ${c.line})`;
      const open = `    <testcase classname="${escapeXml(l.id)}" name="${escapeXml(name)}" file="${escapeXml(l.file)}" line="${c.line}" time="${seconds(c.durationMs)}"`;
      if (c.status === 'passed') out.push(`${open}/>`);
      else if (c.status === 'skipped')
        out.push(`${open}><skipped message="an earlier cell of the lesson failed"/></testcase>`);
      else {
        const text = c.failure.join('\n');
        out.push(
          `${open}><failure message="${escapeXml(c.failure[0] ?? 'failed')}">${escapeXml(text)}</failure></testcase>`,
        );
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
