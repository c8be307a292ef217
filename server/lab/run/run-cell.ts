// Where a cell is run: parse its source, run it by type, and build the RunResult the notebook shows.

import type { CellType, RunMode, RunResult } from '../../contract/lab-api.ts';
import { LessonError } from '../../lessons/lesson-error.ts';
import { parseCell } from '../../lessons/parse-cell.ts';
import { trimLogs } from '../cluster/snapshot.ts';
import { waitForLines } from './run-check-cell.ts';
import { runClusterCell } from './run-cluster-cell.ts';
import { type RunContext, RunStopped, type StopReason } from './run-context.ts';
import { CellRunError } from './run-error.ts';
import { runHttpCell } from './run-http-cell.ts';
import { runActCell, runChooseCell, runPredictCell } from './run-learner-cells.ts';

export interface CellToRun {
  runId: string;
  count: number;
  lessonId: string;
  cellId: string;
  type: CellType;
  source: string;
  /** Learner steps: the learner's own answer, or the lesson's default (Run all, lessons:check). */
  mode?: RunMode;
  /** predict / choose: the option picked. */
  answer?: string;
  /** predict: the cell whose run decides it (the next cell of the lesson, or its `after:`). */
  afterCellId?: string;
}

const ALREADY_DONE =
  'What had already happened stays done (a request already sent may have been applied, an action already taken ' +
  'is not undone); nothing else of this cell ran.';

/** What the learner reads when they stopped a run. */
export const STOPPED_ERROR = {
  message: 'Stopped: you pressed Stop.',
  hint: `${ALREADY_DONE} Run it again when you are ready.`,
  line: null,
};

/** What a run stopped by the lab's own shutdown says (Ctrl-C or SIGTERM, e.g. a headless check ending). */
export const SHUTDOWN_ERROR = {
  message: 'Stopped: the lab is shutting down (Ctrl-C or SIGTERM), so this cell ended where it was.',
  hint: `${ALREADY_DONE} Start the lab again and run the cell again.`,
  line: null,
};

/** What a stopped run says, by why it stopped (RunStopped.reason). */
export function stoppedError(reason: StopReason): typeof STOPPED_ERROR {
  return reason === 'shutdown' ? SHUTDOWN_ERROR : STOPPED_ERROR;
}

/** Never throws for anything the cell or the cluster did: that goes into `error`. */
export async function runCell(cell: CellToRun, ctx: RunContext): Promise<RunResult> {
  const startedAt = Date.now();
  const result: RunResult = {
    runId: cell.runId,
    lessonId: cell.lessonId,
    cellId: cell.cellId,
    type: cell.type,
    ok: false,
    count: cell.count,
    startedAt,
    durationMs: 0,
    error: null,
    variables: {},
    http: null,
    cluster: null,
    check: null,
  };
  try {
    const parsed = parseCell(cell.type, cell.source, { file: `cell ${cell.cellId}`, firstLine: 1 });
    if (parsed.type === 'http') {
      result.http = await runHttpCell(parsed.http, ctx);
      result.ok = result.http.entries.every((e) => e.ok);
      result.error = result.http.entries.find((e) => e.error)?.error ?? null;
    } else if (parsed.type === 'cluster') {
      const { actions } = await runClusterCell(parsed.actions, ctx);
      result.cluster = { actions, snapshot: trimLogs(await ctx.snapshot()) };
      result.ok = actions.every((a) => a.ok);
    } else if (parsed.type === 'check') {
      result.check = await waitForLines(parsed.check.lines, parsed.check.hints, parsed.check.timeoutMs, ctx);
      result.ok = result.check.assertions.every((a) => a.ok);
    } else if (parsed.type === 'predict') {
      result.predict = runPredictCell(parsed.predict, ctx);
      result.ok = true;
    } else if (parsed.type === 'choose') {
      result.choose = await runChooseCell(parsed.choose, ctx);
      result.ok = true;
    } else {
      result.act = await runActCell(parsed.act, ctx);
      result.ok = result.act.actions.every((a) => a.ok) && result.act.done.every((d) => d.ok);
    }
  } catch (e) {
    if (e instanceof RunStopped) {
      result.error = stoppedError(e.reason);
      result.stopped = true;
    } else if (e instanceof LessonError) {
      const first = e.problems[0]!;
      const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more problem(s))` : '';
      result.error = {
        message: `line ${first.line}: ${first.message}${more}`,
        hint:
          e.problems.length > 1
            ? e.problems
                .slice(1)
                .map((p) => `line ${p.line}: ${p.message}`)
                .join('\n')
            : null,
        line: first.line,
      };
    } else if (e instanceof CellRunError) {
      result.error = e.toInfo();
    } else {
      result.error = {
        message: `the lab failed while running this cell: ${(e as Error).message}`,
        hint: 'This is a bug in the lab; the server log has details.',
        line: null,
      };
      console.error(e);
    }
    result.ok = false;
  }
  result.variables = { ...ctx.captured };
  result.durationMs = Date.now() - startedAt;
  return result;
}
