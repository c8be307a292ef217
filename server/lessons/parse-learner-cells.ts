// The cells in which the learner does the deciding (docs/lesson-format.md, "Learner steps"):
//
//   predict — pick an answer, then run the next cell: the cluster shows who was right.
//   choose  — pick an option; it sets variables that later cells use (`kill {{victim}}`).
//   act     — do something yourself (a panel button, an edit); `done:` checks prove it.
//
// All three share one layout: Markdown text first (the question or instruction), then
// `- key: text` options with indented `if:`/`set:` lines, then `word: value` fields. Each
// names a `default:` (or `do:`) so Run all and lessons:check can run them unattended.
import { CELL_PLACE, ProblemList, type SourcePlace } from './lesson-error.ts';
import type {
  ActCell,
  CheckLine,
  ChooseCell,
  ClusterActionLine,
  PredictCell,
  StepOption,
  Value,
} from './lesson-types.ts';
import { addHint, parseCheckAssertion, parseHintLine } from './parse-check-cell.ts';
import { parseClusterAction } from './parse-cluster-cell.ts';
import { parseDuration } from './parse-duration.ts';
import { parseValue } from './parse-value.ts';

/** The words each learner-step cell knows: fields at the left margin, `sub` under an option. */
export const LEARNER_CELL_WORDS = {
  predict: { fields: ['default', 'answer', 'explain', 'after', 'timeout'], sub: ['if'] },
  choose: { fields: ['default'], sub: ['set'] },
  act: { fields: ['done', 'do', 'timeout'], sub: [] },
} as const;

export const DEFAULT_PREDICT_TIMEOUT_MS = 5_000;
export const DEFAULT_ACT_TIMEOUT_MS = 10_000;

const OPTION_LINE = /^-\s+([A-Za-z0-9_-]+)\s*:\s*(.*)$/;
const SUB_LINE = /^\s+([a-z]+)\s*:\s*(.*)$/;
const FIELD_LINE = /^([a-z]+)\s*:\s*(.*)$/;

interface RawOption {
  key: string;
  text: string;
  lineIndex: number;
  sub: { word: string; value: string; lineIndex: number }[];
}

interface RawStep {
  text: string;
  options: RawOption[];
  fields: { word: string; value: string; lineIndex: number }[];
}

/** Splits a learner cell into its text, its options and its fields; unknown words are problems. */
function readStep(source: string, kind: keyof typeof LEARNER_CELL_WORDS, problems: ProblemList): RawStep {
  const words = LEARNER_CELL_WORDS[kind];
  const fields: readonly string[] = words.fields;
  const subs: readonly string[] = words.sub;
  const step: RawStep = { text: '', options: [], fields: [] };
  const text: string[] = [];
  // Free lines continue the text, or the `explain:` above them, until the next option or field.
  let continuing: { value: string } | null = null;
  source.split('\n').forEach((raw, i) => {
    if (raw.trim().startsWith('#') && !raw.trim().startsWith('#!')) return;
    const hint = parseHintLine(raw.trim());
    const option = OPTION_LINE.exec(raw);
    const sub = SUB_LINE.exec(raw);
    const field = FIELD_LINE.exec(raw);
    if (option && kind !== 'act') {
      step.options.push({ key: option[1]!, text: option[2]!.trim(), lineIndex: i, sub: [] });
      continuing = null;
    } else if (sub && step.options.length > 0 && subs.includes(sub[1]!)) {
      step.options.at(-1)!.sub.push({ word: sub[1]!, value: sub[2]!.trim(), lineIndex: i });
    } else if (sub && step.options.length > 0 && sub[1] !== 'hint') {
      problems.add(
        i,
        `\`${sub[1]}:\` does not belong under an option of a ${kind} cell: ${subs.length ? `use ${subs.map((w) => `\`${w}:\``).join(', ')}` : 'it has none'}`,
      );
    } else if (hint !== null && (step.fields.length > 0 || step.options.length > 0)) {
      // A hint belongs to the check line above it (an `if:` or a `done:`).
      step.fields.push({ word: 'hint', value: raw.trim(), lineIndex: i });
    } else if (field && fields.includes(field[1]!)) {
      const f = { word: field[1]!, value: field[2]!.trim(), lineIndex: i };
      step.fields.push(f);
      continuing = f.word === 'explain' ? f : null;
    } else if (field && (step.options.length > 0 || step.fields.length > 0) && !raw.startsWith(' ')) {
      problems.add(i, `unknown word \`${field[1]}:\` in a ${kind} cell: it knows ${fields.join(', ')}`);
    } else if (continuing !== null) {
      (continuing as { value: string }).value += `\n${raw}`;
    } else if (step.options.length > 0 || step.fields.length > 0) {
      if (raw.trim() !== '')
        problems.add(i, `\`${raw.trim()}\`: after the options only fields (${fields.join(', ')}) may follow`);
    } else text.push(raw);
  });
  step.text = text.join('\n').trim();
  return step;
}

/** A check line written after `if:` or `done:`; null (and a problem) when it does not parse. */
function checkLine(text: string, lineIndex: number, problems: ProblemList): CheckLine | null {
  const a = parseCheckAssertion(text);
  if (!a.ok) {
    problems.add(lineIndex, a.message);
    return null;
  }
  return { text, assertion: a.value, hints: { any: null }, lineIndex };
}

function optionKeys(step: RawStep, kind: string, problems: ProblemList, at: number): void {
  if (step.options.length < 2)
    problems.add(at, `a ${kind} cell needs at least two options, each \`- key: what it means\``);
  const seen = new Set<string>();
  for (const o of step.options) {
    if (seen.has(o.key))
      problems.add(o.lineIndex, `two options are called \`${o.key}\`: give each its own key`);
    if (o.text === '')
      problems.add(o.lineIndex, `option \`${o.key}\` has no text: write \`- ${o.key}: what it says\``);
    seen.add(o.key);
  }
}

/** The one field `word`, or null; a problem when it is written twice. */
function single(
  step: RawStep,
  word: string,
  problems: ProblemList,
): { value: string; lineIndex: number } | null {
  const all = step.fields.filter((f) => f.word === word);
  for (const extra of all.slice(1)) problems.add(extra.lineIndex, `\`${word}:\` is written twice: keep one`);
  return all[0] ?? null;
}

function optionKey(
  step: RawStep,
  word: string,
  problems: ProblemList,
  at: number,
  required: boolean,
): string | null {
  const f = single(step, word, problems);
  if (!f) {
    if (required)
      problems.add(
        at,
        `a ${word === 'default' ? 'default answer' : word} is missing: add \`${word}: <key>\` naming one option (Run all and lessons:check use it)`,
      );
    return null;
  }
  if (!step.options.some((o) => o.key === f.value)) {
    problems.add(
      f.lineIndex,
      `\`${word}: ${f.value}\` names no option; the options are ${step.options.map((o) => o.key).join(', ')}`,
    );
  }
  return f.value;
}

function timeoutField(step: RawStep, fallback: number, problems: ProblemList): number {
  const f = single(step, 'timeout', problems);
  if (!f) return fallback;
  const ms = parseDuration(f.value);
  if (ms === null || ms > 300_000) {
    problems.add(f.lineIndex, `\`${f.value}\` is not a timeout: write e.g. 5s (at most 300s)`);
    return fallback;
  }
  return ms;
}

/** Attaches `hint:` fields to the check line written just above them. */
function attachHints(step: RawStep, lines: CheckLine[], problems: ProblemList): void {
  for (const h of step.fields.filter((f) => f.word === 'hint')) {
    const target = lines.filter((l) => l.lineIndex < h.lineIndex).at(-1);
    const hint = parseHintLine(h.value);
    if (typeof hint === 'string') problems.add(h.lineIndex, hint);
    else if (!target || hint === null)
      problems.add(h.lineIndex, '`hint:` must follow the `if:` or `done:` line it explains');
    else {
      const twice = addHint(target.hints, hint);
      if (twice) problems.add(h.lineIndex, twice);
    }
  }
}

/** A predict or choose cell's step: it starts with its question, and its options have keys. */
function readQuestion(source: string, kind: 'predict' | 'choose', problems: ProblemList): RawStep {
  const step = readStep(source, kind, problems);
  if (step.text === '') problems.add(0, `a ${kind} cell starts with its question`);
  optionKeys(step, kind, problems, 0);
  return step;
}

export function parsePredictCell(source: string, place: SourcePlace = CELL_PLACE): PredictCell {
  const problems = new ProblemList(place);
  const step = readQuestion(source, 'predict', problems);
  const options = step.options.map((o) => ({
    key: o.key,
    text: o.text,
    lineIndex: o.lineIndex,
    conditions: o.sub.flatMap((s) => checkLine(s.value, s.lineIndex, problems) ?? []),
  }));
  attachHints(
    step,
    options.flatMap((o) => o.conditions),
    problems,
  );
  const answer = optionKey(step, 'answer', problems, 0, false);
  const judged = options.filter((o) => o.conditions.length > 0).length;
  if (answer !== null && judged > 0) {
    problems.add(0, 'give either `if:` lines under the options (the run decides) or an `answer:`, not both');
  } else if (answer === null && judged !== options.length && options.length >= 2) {
    problems.add(
      0,
      'every option needs an `if:` line saying what the cluster shows when it is right (e.g. `  if: leaders == 1`), or the cell needs an `answer:`',
    );
  }
  const explain = single(step, 'explain', problems);
  if (!explain || explain.value.trim() === '')
    problems.add(0, 'a predict cell needs an `explain:` saying why the right answer is right');
  const after = single(step, 'after', problems);
  const cell: PredictCell = {
    question: step.text,
    options,
    answer,
    defaultKey: optionKey(step, 'default', problems, 0, true) ?? '',
    explain: explain?.value.trim() ?? '',
    after: after?.value ?? null,
    timeoutMs: timeoutField(step, DEFAULT_PREDICT_TIMEOUT_MS, problems),
  };
  problems.throwIfAny();
  return cell;
}

export function parseChooseCell(source: string, place: SourcePlace = CELL_PLACE): ChooseCell {
  const problems = new ProblemList(place);
  const step = readQuestion(source, 'choose', problems);
  const options = step.options.map((o): ChooseCell['options'][number] => {
    const sets = o.sub.flatMap((s) => {
      const m = /^([A-Za-z_][\w-]*)\s*=\s*(.*)$/.exec(s.value);
      const v = m ? parseValue(m[2]!) : null;
      if (!m || !v?.ok || v.value.kind === 'regex' || v.rest.trim() !== '') {
        problems.add(
          s.lineIndex,
          `\`set: ${s.value}\` is not \`set: name = value\` (a value is "text", a number or a {{variable}} such as {{follower}})`,
        );
        return [];
      }
      return [{ name: m[1]!, value: v.value as Value, lineIndex: s.lineIndex }];
    });
    if (sets.length === 0 && o.sub.length === 0)
      problems.add(
        o.lineIndex,
        `option \`${o.key}\` sets nothing: add \`  set: name = value\` for later cells to use`,
      );
    return { key: o.key, text: o.text, lineIndex: o.lineIndex, sets } satisfies StepOption & {
      sets: unknown[];
    };
  });
  const cell: ChooseCell = {
    question: step.text,
    options,
    defaultKey: optionKey(step, 'default', problems, 0, true) ?? '',
  };
  problems.throwIfAny();
  return cell;
}

export function parseActCell(source: string, place: SourcePlace = CELL_PLACE): ActCell {
  const problems = new ProblemList(place);
  const step = readStep(source, 'act', problems);
  if (step.text === '') problems.add(0, 'an act cell starts with what the learner should do');
  const done = step.fields
    .filter((f) => f.word === 'done')
    .flatMap((f) => checkLine(f.value, f.lineIndex, problems) ?? []);
  attachHints(step, done, problems);
  const actions: ClusterActionLine[] = step.fields
    .filter((f) => f.word === 'do')
    .flatMap((f) => {
      try {
        return [{ text: f.value, action: parseClusterAction(f.value), lineIndex: f.lineIndex }];
      } catch (e) {
        problems.add(f.lineIndex, (e as Error).message);
        return [];
      }
    });
  if (!step.fields.some((f) => f.word === 'done'))
    problems.add(
      0,
      'an act cell needs `done:` lines: checks that hold once the learner did it (e.g. `done: you killed a follower`)',
    );
  if (!step.fields.some((f) => f.word === 'do'))
    problems.add(
      0,
      'an act cell needs `do:` lines: what Run all and lessons:check do instead of the learner (e.g. `do: kill {{follower}}`)',
    );
  const cell: ActCell = {
    instruction: step.text,
    done,
    actions,
    timeoutMs: timeoutField(step, DEFAULT_ACT_TIMEOUT_MS, problems),
  };
  problems.throwIfAny();
  return cell;
}
