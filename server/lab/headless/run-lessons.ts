// Runs lessons top to bottom on a real cluster, as CI does: each lesson from a fresh cluster,
// its cells as written, stopping a lesson at its first failing cell.

import type { CellType, RunResult } from '../../contract/lab-api.ts';
import { decidingCell } from '../../lessons/deciding-cell.ts';
import type { LessonError } from '../../lessons/lesson-error.ts';
import { faultsNeeded } from '../../lessons/lesson-faults.ts';
import type { ParsedLesson } from '../../lessons/lesson-types.ts';
import { parsePredictCell } from '../../lessons/parse-learner-cells.ts';
import type { ClusterSession } from '../session/cluster-session.ts';

export interface CellOutcome {
  cellId: string;
  type: CellType;
  line: number;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** Why it failed, one problem a line. */
  failure: string[];
  result: RunResult | null;
}

export interface LessonOutcome {
  id: string;
  file: string;
  title: string;
  /** `skipped`: the backend lacks a fault the lesson needs (`error` names it); counted apart. */
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** Set when the lesson could not run at all (malformed file, cluster would not reset). */
  error: string | null;
  cells: CellOutcome[];
}

/** Longest response body shown with a failed http cell, in characters. */
export const BODY_EXCERPT_CHARS = 300;

/** A body on one line, cut to BODY_EXCERPT_CHARS. */
function bodyExcerpt(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > BODY_EXCERPT_CHARS
    ? `${flat.slice(0, BODY_EXCERPT_CHARS)}… (${flat.length} chars)`
    : flat;
}

/** What went wrong in a run, in lines a person can act on. */
export function failureLines(r: RunResult): string[] {
  const lines: string[] = [];
  if (r.error)
    lines.push(
      `${r.error.line ? `line ${r.error.line}: ` : ''}${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`,
    );
  for (const e of r.http?.entries ?? []) {
    for (const a of e.asserts) if (!a.ok) lines.push(`${a.text}: ${a.message}`);
    for (const c of e.captures) if (!c.ok) lines.push(`capture ${c.name}: ${c.message}`);
    if (!e.ok && e.attempts > 1) lines.push(`(after ${e.attempts} attempts)`);
    // The body says why (a 503's `error` and `detail`), which the status alone does not.
    if (!e.ok && e.response) lines.push(`response ${e.response.status}: ${bodyExcerpt(e.response.bodyText)}`);
  }
  for (const a of r.cluster?.actions ?? []) if (!a.ok) lines.push(`${a.text}: ${a.detail}`);
  const checkLines = [...(r.check?.assertions ?? []), ...(r.act?.done ?? [])];
  for (const a of checkLines) {
    if (!a.ok)
      lines.push(
        `${a.shown ?? a.text}: expected ${a.expected}, seen ${a.seen}${a.hint ? ` — hint: ${a.hint}` : ''}`,
      );
  }
  for (const a of r.act?.actions ?? []) if (!a.ok) lines.push(`do: ${a.text}: ${a.detail}`);
  for (const p of r.predictions ?? []) {
    if (!p.determined) {
      const seen = p.options.flatMap((o) =>
        o.lines.filter((l) => !l.ok).map((l) => `${o.key}: ${l.shown ?? l.text} (seen ${l.seen})`),
      );
      lines.push(
        `prediction ${p.predictCellId}: none of its options happened after this cell: ${seen.join('; ')}`,
      );
    }
  }
  if (lines.length === 0 && !r.ok) lines.push('the cell failed');
  return lines;
}

/** A run passes when the cell did and every prediction it decided foresaw what the cluster did. */
export function runPassed(r: RunResult): boolean {
  return r.ok && (r.predictions ?? []).every((p) => p.determined);
}

export interface RunLessonsHooks {
  onLessonStart?: (lesson: { id: string; title: string; file: string }) => void;
  onCell?: (lessonId: string, cell: CellOutcome) => void;
  onLessonEnd?: (lesson: LessonOutcome) => void;
}

/** True when the lesson's first cell resets the cluster itself: no need to do it twice. */
function startsWithReset(lesson: ParsedLesson): boolean {
  const first = lesson.blocks.find((b) => b.kind === 'cell');
  if (first?.kind !== 'cell' || first.cell.type !== 'cluster') return false;
  const firstAction = first.cell.source
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .find((l) => l !== '');
  return firstAction === 'reset';
}

/** Brings the cluster back to a fresh state with a leader (or explains why it could not). */
async function freshCluster(
  session: ClusterSession,
  lesson: ParsedLesson,
  first: boolean,
): Promise<string | null> {
  const canReset = session.backend.faults.includes('reset');
  // A local cluster was started fresh for the first lesson; a docker one may hold old state.
  const freshAlready = first && session.backend.kind === 'local';
  const steps = freshAlready || !canReset ? ['wait leader 20s'] : startsWithReset(lesson) ? [] : ['reset'];
  for (const step of steps) {
    const outcome = await session.action(step, 'cell');
    if (!outcome.ok) return `could not prepare a fresh cluster (${step}): ${outcome.actions[0]?.detail}`;
  }
  return null;
}

export async function runLesson(
  session: ClusterSession,
  lesson: ParsedLesson,
  first: boolean,
  hooks: RunLessonsHooks = {},
): Promise<LessonOutcome> {
  const started = Date.now();
  hooks.onLessonStart?.(lesson);
  const outcome: LessonOutcome = {
    id: lesson.id,
    file: lesson.file,
    title: lesson.title,
    status: 'passed',
    durationMs: 0,
    error: null,
    cells: [],
  };
  session.forgetVariables(lesson.id);
  const missing = faultsNeeded(lesson).filter((f) => !session.backend.faults.includes(f));
  if (missing.length > 0) {
    outcome.status = 'skipped';
    outcome.error =
      `needs ${missing.join(', ')}, which the ${session.backend.kind} backend does not offer ` +
      '(run it with the local backend: npm run lessons:check -- --backend local)';
    outcome.durationMs = Date.now() - started;
    hooks.onLessonEnd?.(outcome);
    return outcome;
  }
  outcome.error = await freshCluster(session, lesson, first);
  let failed = outcome.error !== null;
  const cells = lesson.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
  for (const cell of cells) {
    let co: CellOutcome;
    if (failed) {
      co = {
        cellId: cell.id,
        type: cell.type,
        line: cell.line,
        status: 'skipped',
        durationMs: 0,
        failure: [],
        result: null,
      };
    } else {
      // Unattended: learner steps take the lesson's default answer or do its `do:` lines.
      const deciding =
        cell.type === 'predict' ? decidingCell(cells, cell.id, parsePredictCell(cell.source).after) : null;
      const result = await session.run({
        lessonId: lesson.id,
        cellId: cell.id,
        type: cell.type,
        source: cell.source,
        mode: 'default',
        afterCellId: deciding && 'id' in deciding ? deciding.id : undefined,
      });
      const passed = runPassed(result);
      co = {
        cellId: cell.id,
        type: cell.type,
        line: cell.line,
        status: passed ? 'passed' : 'failed',
        durationMs: result.durationMs,
        failure: passed ? [] : failureLines(result),
        result,
      };
      failed = !passed;
    }
    outcome.cells.push(co);
    hooks.onCell?.(lesson.id, co);
  }
  outcome.status = failed ? 'failed' : 'passed';
  outcome.durationMs = Date.now() - started;
  hooks.onLessonEnd?.(outcome);
  return outcome;
}

/** A lesson file that does not parse: a failed lesson whose error lists every problem. */
export function malformedLesson(id: string, file: string, error: LessonError): LessonOutcome {
  return { id, file, title: id, status: 'failed', durationMs: 0, error: error.message, cells: [] };
}
