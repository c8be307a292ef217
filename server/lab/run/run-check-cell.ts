// Runs a `check` cell: evaluates all its assertions on a fresh look at the cluster, again and
// again, until they all hold or the timeout runs out (things in a cluster become true a moment
// later). While it waits, the notebook is told what it waits for and until when.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { CheckAssertionResult, CheckCellResult } from '../../contract/lab-api.ts';
import type { NodeEvent } from '../../contract/node-events.ts';
import type { CheckHints, CheckLine } from '../../lessons/lesson-types.ts';
import type { HistoryRecord } from '../session/action-log.ts';
import { evaluateCheck } from './evaluate-check.ts';
import { pause, type RunContext, untilStopped } from './run-context.ts';
import { shownText } from './shown-text.ts';

const POLL_MS = 250;

/** The hint for a failure: the line's own for its cause, its general one, then the cell's. */
function hintFor(line: CheckLine, cellHints: CheckHints, cause: string | null): string | null {
  const byCause = (h: CheckHints) => (cause !== null ? (h[cause as keyof CheckHints] ?? null) : null);
  return byCause(line.hints) ?? line.hints.any ?? byCause(cellHints) ?? cellHints.any;
}

/** Evaluates check lines on one snapshot. Pure; `history` feeds `you killed …` lines, `recorded` `dropped request_vote …`. */
export function evaluateCheckLines(
  lines: readonly CheckLine[],
  cellHints: CheckHints,
  snapshot: ClusterSnapshot,
  captured: Record<string, unknown>,
  history: readonly HistoryRecord[] = [],
  recorded: readonly NodeEvent[] | null = null,
): CheckAssertionResult[] {
  const vars = new Map(Object.entries(captured));
  return lines.map((line) => {
    const outcome = evaluateCheck(line.assertion, snapshot, vars, history, recorded);
    return {
      text: line.text,
      shown: shownText(line.text, vars, snapshot.nodes),
      ok: outcome.ok,
      expected: outcome.expected,
      seen: outcome.seen,
      hint: outcome.ok ? null : hintFor(line, cellHints, outcome.cause),
      cause: outcome.ok ? null : outcome.cause,
    };
  });
}

/**
 * Evaluates `lines` until they all hold or `timeoutMs` passes (then the last evaluation is the
 * answer). Reports what it still waits for about once a second. Rejects with RunStopped on Stop.
 */
export async function waitForLines(
  lines: readonly CheckLine[],
  cellHints: CheckHints,
  timeoutMs: number,
  ctx: RunContext,
): Promise<CheckCellResult> {
  const deadlineAt = Date.now() + timeoutMs;
  let attempts = 0;
  let reported = '';
  for (;;) {
    attempts++;
    const snapshot = await untilStopped(ctx.snapshot(), ctx.signal);
    const assertions = evaluateCheckLines(
      lines,
      cellHints,
      snapshot,
      ctx.captured,
      ctx.history(),
      ctx.recorded?.() ?? null,
    );
    if (assertions.every((a) => a.ok) || Date.now() >= deadlineAt) return { assertions, attempts };
    const failing = assertions.filter((a) => !a.ok).map((a) => a.shown ?? a.text);
    if (attempts % 4 === 1 || failing.join('\n') !== reported) {
      reported = failing.join('\n');
      ctx.progress({
        attempt: attempts,
        detail: `waiting for: ${failing.join('; ')}`,
        waitingFor: failing,
        deadlineAt,
      });
    }
    await pause(POLL_MS, ctx.signal);
  }
}
