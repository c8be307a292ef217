// Runs the cells in which the learner decides (docs/lesson-format.md, "Learner steps"):
// a prediction is locked in, then decided by what the cluster does after the next cell; a
// choice sets variables; an act step is checked against what the learner did, or — in Run all,
// lessons:check and "Do it for me" — done by the lab with the lesson's `do:` lines.

import type { ActResult, ChooseResult, PredictionOutcome, PredictResult } from '../../contract/lab-api.ts';
import type { ActCell, ChooseCell, PredictCell, StepOption } from '../../lessons/lesson-types.ts';
import { evaluateCheckLines, waitForLines } from './run-check-cell.ts';
import { runClusterCell } from './run-cluster-cell.ts';
import { pause, type RunContext, untilStopped } from './run-context.ts';
import { CellRunError } from './run-error.ts';
import { shownText } from './shown-text.ts';
import { resolveVariables } from './variables.ts';

const POLL_MS = 250;
/** "Check what I did" waits this long for the cluster to show it (a kill is seen at once). */
const LEARNER_CHECK_MS = 2_000;

/** The option the learner picked, or the lesson's default when the lab answers for them. */
function pick(options: readonly StepOption[], defaultKey: string, ctx: RunContext, what: string) {
  const keys = options.map((o) => o.key);
  if (ctx.answer === undefined) {
    if (ctx.mode !== 'default') {
      throw new CellRunError(
        `no ${what} picked yet`,
        `Pick one of ${keys.join(', ')} first, or use the lesson's answer (${defaultKey}).`,
      );
    }
    return { key: defaultKey, by: 'default' as const };
  }
  if (!keys.includes(ctx.answer))
    throw new CellRunError(`\`${ctx.answer}\` is not one of the options`, `Pick one of ${keys.join(', ')}.`);
  return { key: ctx.answer, by: 'learner' as const };
}

function filled(text: string, ctx: RunContext): string {
  return shownText(text, new Map(Object.entries(ctx.captured)), ctx.backend.nodes(), false);
}

/** Locks in the answer; the session keeps it until the cell `afterCellId` has run. */
export function runPredictCell(cell: PredictCell, ctx: RunContext): PredictResult {
  if (!ctx.afterCellId) {
    throw new CellRunError(
      'this prediction has no cell after it to decide it',
      'A predict cell comes before the cell whose run answers it (or names it with `after:`).',
    );
  }
  const { key, by } = pick(cell.options, cell.defaultKey, ctx, 'answer');
  return {
    question: filled(cell.question, ctx),
    options: cell.options.map((o) => ({ key: o.key, text: filled(o.text, ctx) })),
    answer: key,
    by,
    afterCellId: ctx.afterCellId,
    outcome: null,
  };
}

/**
 * What the cluster did after the awaited cell ran: the options whose `if:` lines all hold
 * (polled until one does, or the cell's timeout), compared with the answer.
 */
export async function decidePrediction(
  cell: PredictCell,
  locked: { predictCellId: string; afterCellId: string; answer: string; by: 'learner' | 'default' },
  ctx: RunContext,
): Promise<PredictionOutcome> {
  const base = { ...locked, explain: filled(cell.explain, ctx) };
  if (cell.answer !== null) {
    return {
      ...base,
      happened: [cell.answer],
      correct: locked.answer === cell.answer,
      determined: true,
      options: cell.options.map((o) => ({ key: o.key, holds: o.key === cell.answer, lines: [] })),
    };
  }
  const deadline = Date.now() + cell.timeoutMs;
  for (;;) {
    const snapshot = await untilStopped(ctx.snapshot(), ctx.signal);
    const options = cell.options.map((o) => {
      const lines = evaluateCheckLines(o.conditions, { any: null }, snapshot, ctx.captured, ctx.history());
      return { key: o.key, holds: lines.every((l) => l.ok), lines };
    });
    const happened = options.filter((o) => o.holds).map((o) => o.key);
    if (happened.length > 0 || Date.now() >= deadline) {
      return {
        ...base,
        happened,
        correct: happened.length > 0 ? happened.includes(locked.answer) : null,
        determined: happened.length > 0,
        options,
      };
    }
    await pause(POLL_MS, ctx.signal);
  }
}

/** Sets the chosen option's variables (values such as {{follower}} are looked up now). */
export async function runChooseCell(cell: ChooseCell, ctx: RunContext): Promise<ChooseResult> {
  const { key, by } = pick(cell.options, cell.defaultKey, ctx, 'option');
  const option = cell.options.find((o) => o.key === key)!;
  const set: Record<string, unknown> = {};
  for (const s of option.sets) {
    let value: unknown = s.value.kind === 'literal' ? s.value.value : undefined;
    if (s.value.kind === 'variable') {
      const scope = { nodes: ctx.backend.nodes(), captured: ctx.captured, snapshot: ctx.snapshot };
      value = (await resolveVariables([`{{${s.value.name}}}`], scope)).get(s.value.name);
    }
    set[s.name] = value;
  }
  Object.assign(ctx.captured, set);
  const shown = Object.fromEntries(Object.keys(set).map((name) => [name, filled(`{{${name}}}`, ctx)]));
  return {
    question: filled(cell.question, ctx),
    options: cell.options.map((o) => ({ key: o.key, text: filled(o.text, ctx) })),
    choice: key,
    by,
    set,
    shown,
  };
}

/**
 * Checks what the learner did; in `default` mode does the lesson's `do:` lines first when the
 * learner has not done it yet (never on top of what the learner already did).
 */
export async function runActCell(cell: ActCell, ctx: RunContext): Promise<ActResult> {
  const result: ActResult = {
    instruction: filled(cell.instruction, ctx),
    by: 'learner',
    actions: [],
    done: [],
  };
  const first = evaluateCheckLines(
    cell.done,
    { any: null },
    await ctx.snapshot(),
    ctx.captured,
    ctx.history(),
  );
  if (first.every((l) => l.ok)) return { ...result, done: first };
  if (ctx.mode !== 'default') {
    result.done = (await waitForLines(cell.done, { any: null }, LEARNER_CHECK_MS, ctx)).assertions;
    return result;
  }
  result.by = 'default';
  result.actions = (await runClusterCell(cell.actions, ctx)).actions;
  if (result.actions.every((a) => a.ok))
    result.done = (await waitForLines(cell.done, { any: null }, cell.timeoutMs, ctx)).assertions;
  else result.done = first;
  return result;
}
