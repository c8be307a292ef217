// Runs a `check` cell: evaluates all its assertions on a fresh look at the cluster, again and
// again, until they all hold or the timeout runs out (things in a cluster become true a moment later).

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { CheckAssertionResult, CheckCellResult } from '../../contract/lab-api.ts';
import type { NodeEvent } from '../../contract/node-events.ts';
import type { CheckCell } from '../../lessons/lesson-types.ts';
import { evaluateCheck } from './evaluate-check.ts';
import { pause, type RunContext } from './run-context.ts';

const POLL_MS = 250;

export function evaluateCheckCell(
  cell: CheckCell,
  snapshot: ClusterSnapshot,
  captured: Record<string, unknown>,
  history: readonly NodeEvent[] | null = null,
): CheckAssertionResult[] {
  const vars = new Map(Object.entries(captured));
  return cell.lines.map((line) => {
    const outcome = evaluateCheck(line.assertion, snapshot, vars, history);
    const hint = outcome.ok ? null : (line.hint ?? cell.hint);
    return { text: line.text, ok: outcome.ok, expected: outcome.expected, seen: outcome.seen, hint };
  });
}

export async function runCheckCell(cell: CheckCell, ctx: RunContext): Promise<CheckCellResult> {
  const deadline = Date.now() + cell.timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    const assertions = evaluateCheckCell(cell, await ctx.snapshot(), ctx.captured, ctx.history?.() ?? null);
    if (assertions.every((a) => a.ok) || Date.now() >= deadline) return { assertions, attempts };
    if (attempts % 4 === 0) {
      const failing = assertions.filter((a) => !a.ok).map((a) => a.text);
      ctx.progress(attempts, `still waiting for: ${failing.join('; ')}`);
    }
    await pause(POLL_MS);
  }
}
