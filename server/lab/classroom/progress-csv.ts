// The class's progress as CSV (one row per learner, one column per lesson: checks passed of
// checks in it), for a spreadsheet or a grade book. RFC 4180 quoting.
import type { MemberRowView } from '../../contract/classroom.ts';
import type { LessonSummary } from '../../contract/lab-api.ts';

const field = (v: string | number) => {
  const s = String(v);
  // A leading = + - @ would make a spreadsheet run it as a formula (CSV injection): quote it away.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function progressCsv(lessons: LessonSummary[], rows: MemberRowView[]): string {
  const header = [
    'id',
    'name',
    'current lesson',
    'last activity (UTC)',
    ...lessons.map((l) => l.title),
    'checks passed',
  ];
  const lines = [header.map(field).join(',')];
  for (const r of rows) {
    const perLesson = lessons.map((l) => `${r.progress.passed[l.id]?.length ?? 0}/${l.checks}`);
    const total = lessons.reduce((n, l) => n + (r.progress.passed[l.id]?.length ?? 0), 0);
    lines.push(
      [
        r.id,
        r.name,
        r.progress.lesson ?? '',
        r.progress.lastActivity ? new Date(r.progress.lastActivity).toISOString() : '',
        ...perLesson,
        total,
      ]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
