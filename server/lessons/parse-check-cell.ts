// A `check` cell: assertions about the whole cluster, one a line, with optional hints and timeout.
// The grammar is in docs/lesson-format.md.
import { CELL_PLACE, ProblemList, type SourcePlace } from './lesson-error.ts';
import {
  CHECK_FAILURE_CAUSES,
  type CheckAssertion,
  type CheckCell,
  type CheckFailureCause,
  type CheckHints,
  type CheckLine,
  type CheckNode,
  type CheckOperand,
  type CheckOperator,
  type CheckSubject,
  type NodeFact,
  type Quantifier,
} from './lesson-types.ts';
import { parseDuration } from './parse-duration.ts';
import { parseHistoryFact } from './parse-history-fact.ts';
import { parseValue } from './parse-value.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export const CHECK_OPERATORS: CheckOperator[] = ['==', '!=', '>=', '<=', '>', '<', 'contains'];
const OPERATORS = CHECK_OPERATORS;
export const CHECK_QUANTIFIERS: [string, Quantifier][] = [
  ['every up node', 'every-up'],
  ['every node', 'every'],
  ['some node', 'some'],
  ['no node', 'no'],
];
const QUANTIFIERS = CHECK_QUANTIFIERS;
export const IS_WORDS = ['up', 'down', 'paused', 'leader', 'follower', 'candidate'] as const;
const PATH = /^[A-Za-z_][\w-]*(?:\.[\w-]+)*/;
/** A node named in a check: `node3`, `leader` or `{{captured}}` (groups: digits, variable name). */
const NODE = String.raw`(?:node(\d+)|leader|\{\{\s*([A-Za-z_][\w-]*)\s*\}\})`;

function checkNode(m: RegExpExecArray): CheckNode {
  if (m[1] !== undefined) return { id: String(Number(m[1])) };
  if (m[2] !== undefined) return { variable: m[2] };
  return 'leader';
}

const GRAMMAR_HELP =
  'write e.g. `leaders == 1`, `node3.state == "follower"`, `{{old_leader}}.state == "follower"`, `leader.term > {{term_before}}`, ' +
  '`every node: kv.x == "42"`, `node1 is down`, `every up node: committed log contains "set x=42"`, `logs match`, ' +
  '`dropped request_vote >= 1`, `max candidates in a term >= 2` or, about what the learner did, `you killed a follower`';

type Parse<T> = { ok: true; value: T; rest: string } | { ok: false; message: string };

function parseOperator(text: string): Parse<CheckOperator> {
  const s = text.trimStart();
  const op = OPERATORS.find((o) => s.startsWith(o));
  if (!op)
    return {
      ok: false,
      message: `expected an operator (${OPERATORS.join(' ')}) at \`${s || 'end of line'}\``,
    };
  return { ok: true, value: op, rest: s.slice(op.length) };
}

/** `dropped request_vote`, `delivered heartbeats`, `max candidates in a term`, `split votes`. */
function parseHistorySubject(s: string): Parse<CheckSubject> | null {
  const moved = /^(dropped|delivered)\s+(request_votes?|append_entries|heartbeats?|messages)\b/.exec(s);
  if (moved) {
    const w = moved[2]!.replace(/s$/, '').replace(/^append_entrie$/, 'append_entries');
    const rpc = w === 'message' ? 'any' : (w as 'request_vote' | 'append_entries' | 'heartbeat');
    return {
      ok: true,
      value: { kind: 'history', fact: { kind: moved[1] as 'dropped' | 'delivered', rpc } },
      rest: s.slice(moved[0].length),
    };
  }
  const max = /^max candidates in a term\b/.exec(s);
  if (max)
    return {
      ok: true,
      value: { kind: 'history', fact: { kind: 'max-candidates' } },
      rest: s.slice(max[0].length),
    };
  const split = /^split votes\b/.exec(s);
  if (split)
    return {
      ok: true,
      value: { kind: 'history', fact: { kind: 'split-votes' } },
      rest: s.slice(split[0].length),
    };
  return null;
}

/** `leaders`, `terms`, `term`, `nodeN.path`, `leader.path`, `{{variable}}.path`, or a history count. */
function parseSubject(text: string): Parse<CheckSubject> | null {
  const s = text.trimStart();
  const history = parseHistorySubject(s);
  if (history) return history;
  const word = /^(leaders|terms|term)\b/.exec(s);
  if (word)
    return {
      ok: true,
      value: { kind: word[1] as 'leaders' | 'terms' | 'term' },
      rest: s.slice(word[0].length),
    };
  const node = new RegExp(String.raw`^${NODE}\.([A-Za-z_][\w-]*(?:\.[\w-]+)*)`).exec(s);
  if (node) {
    return {
      ok: true,
      value: { kind: 'node-path', node: checkNode(node), path: node[3]!.split('.') },
      rest: s.slice(node[0].length),
    };
  }
  return null;
}

function parseOperand(text: string): Parse<CheckOperand> {
  const subject = parseSubject(text);
  if (subject?.ok)
    return { ok: true, value: { kind: 'subject', subject: subject.value }, rest: subject.rest };
  const v = parseValue(text);
  if (!v.ok) return v;
  if (v.value.kind === 'regex') return { ok: false, message: 'checks do not take /regex/ values' };
  return { ok: true, value: { kind: 'value', value: v.value }, rest: v.rest };
}

function endOfLine<T>(p: Parse<T>): Parse<T> {
  if (p.ok && p.rest.trim() !== '')
    return { ok: false, message: `unexpected \`${p.rest.trim()}\` at the end` };
  return p;
}

/** A fact about one node: `is down`, `[committed] log contains "…"`, `path op value`. */
function parseNodeFact(text: string): Parse<NodeFact> {
  const s = text.trim();
  const is = /^is\s+(\w+)$/.exec(s);
  if (is) {
    const what = IS_WORDS.find((w) => w === is[1]);
    if (!what) return { ok: false, message: `\`is ${is[1]}\`: a node is ${IS_WORDS.join(', ')}` };
    return { ok: true, value: { kind: 'is', what }, rest: '' };
  }
  const log = /^(committed\s+)?log\s+contains\s+/.exec(s);
  if (log) {
    const v = parseValue(s.slice(log[0].length));
    if (!v.ok) return v;
    if (v.value.kind === 'regex') return { ok: false, message: '`log contains` takes a "command" in quotes' };
    return endOfLine({
      ok: true,
      value: { kind: 'log-contains', committed: log[1] !== undefined, command: v.value },
      rest: v.rest,
    });
  }
  const path = PATH.exec(s);
  if (!path)
    return {
      ok: false,
      message: `\`${s}\` is not a node fact: write \`state == "leader"\`, \`is up\` or \`log contains "set x=1"\``,
    };
  const op = parseOperator(s.slice(path[0].length));
  if (!op.ok) return op;
  const right = parseOperand(op.rest);
  if (!right.ok) return right;
  return endOfLine({
    ok: true,
    value: { kind: 'compare', path: path[0].split('.'), op: op.value, right: right.value },
    rest: right.rest,
  });
}

export function parseCheckAssertion(text: string): Parse<CheckAssertion> {
  const s = text.trim();
  if (s === 'logs match') return { ok: true, value: { kind: 'logs-match' }, rest: '' };
  const history = parseHistoryFact(s);
  if (history)
    return history.ok ? { ok: true, value: { kind: 'history', fact: history.value }, rest: '' } : history;
  for (const [words, quantifier] of QUANTIFIERS) {
    if (s.startsWith(`${words}:`)) {
      const fact = parseNodeFact(s.slice(words.length + 1));
      if (!fact.ok) return fact;
      return { ok: true, value: { kind: 'quantified', quantifier, fact: fact.value }, rest: '' };
    }
  }
  const nodeFact = new RegExp(String.raw`^${NODE}(?=\s+(?:is|log|committed)\s)`).exec(s);
  if (nodeFact) {
    const fact = parseNodeFact(s.slice(nodeFact[0].length));
    if (!fact.ok) return fact;
    return { ok: true, value: { kind: 'node-fact', node: checkNode(nodeFact), fact: fact.value }, rest: '' };
  }
  const left = parseSubject(s);
  if (!left) return { ok: false, message: `\`${s}\` is not a check: ${GRAMMAR_HELP}` };
  if (!left.ok) return left;
  const op = parseOperator(left.rest);
  if (!op.ok) return op;
  const right = parseOperand(op.rest);
  if (!right.ok) return right;
  return endOfLine({
    ok: true,
    value: { kind: 'compare', left: left.value, op: op.value, right: right.value },
    rest: right.rest,
  });
}

/** `hint: …` or `hint if <cause>: …`; null when the line is no hint. */
export function parseHintLine(
  text: string,
): { cause: CheckFailureCause | 'any'; text: string } | string | null {
  const m = /^hint(?:\s+if\s+([a-z ]+?))?\s*:\s*(.*)$/.exec(text);
  if (!m) return null;
  if (m[1] === undefined) return { cause: 'any', text: m[2]! };
  const cause = CHECK_FAILURE_CAUSES.find((c) => c === m[1]);
  if (!cause)
    return `\`hint if ${m[1]}\`: a hint can be for one cause: ${CHECK_FAILURE_CAUSES.join(', ')} (or \`hint:\` for any)`;
  return { cause, text: m[2]! };
}

/** Adds a hint to a hint set; a message when that cause has a hint already. */
export function addHint(
  hints: CheckHints,
  hint: { cause: CheckFailureCause | 'any'; text: string },
): string | null {
  if (hint.cause === 'any' ? hints.any !== null : hints[hint.cause] !== undefined)
    return `two hints for the same ${hint.cause === 'any' ? 'assertion' : `cause (${hint.cause})`}: keep one`;
  if (hint.cause === 'any') hints.any = hint.text;
  else hints[hint.cause] = hint.text;
  return null;
}

export function parseCheckCell(source: string, place: SourcePlace = CELL_PLACE): CheckCell {
  const problems = new ProblemList(place);
  const cell: CheckCell = { timeoutMs: DEFAULT_CHECK_TIMEOUT_MS, lines: [], hints: { any: null } };
  const lines = source.split('\n');
  const isContent = (l: string) => l.trim() !== '' && !l.trim().startsWith('#');
  // Hints after the last assertion are for the whole cell; earlier ones for the assertion above.
  const lastAssertion = lines.findLastIndex(
    (l) => isContent(l) && parseHintLine(l.trim()) === null && !/^timeout:/.test(l.trim()),
  );
  // What the previous content line was, so a hint knows whether it follows an assertion.
  let previous: 'assertion' | 'bad-assertion' | 'other' = 'other';
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (!isContent(raw)) return;
    const hint = parseHintLine(text);
    if (hint !== null) {
      if (typeof hint === 'string') problems.add(i, hint);
      else if (i > lastAssertion) {
        const twice = addHint(cell.hints, hint);
        if (twice) problems.add(i, twice);
      } else if (previous === 'assertion') {
        const twice = addHint(cell.lines.at(-1)!.hints, hint);
        if (twice) problems.add(i, twice);
      } else if (previous === 'other') {
        problems.add(i, '`hint:` must follow the assertion it explains, or end the cell');
      }
      return;
    }
    previous = 'other';
    const timeout = /^timeout:\s*(.*)$/.exec(text);
    if (timeout) {
      const ms = parseDuration(timeout[1]!);
      if (ms === null || ms > 300_000)
        problems.add(i, `\`${timeout[1]}\` is not a timeout: write e.g. 20s (at most 300s)`);
      else cell.timeoutMs = ms;
      return;
    }
    const a = parseCheckAssertion(text);
    previous = a.ok ? 'assertion' : 'bad-assertion';
    if (!a.ok) problems.add(i, a.message);
    else
      cell.lines.push({ text, assertion: a.value, hints: { any: null }, lineIndex: i } satisfies CheckLine);
  });
  if (cell.lines.length === 0 && problems.problems.length === 0) {
    problems.add(0, `the check cell has no assertion: ${GRAMMAR_HELP}`);
  }
  problems.throwIfAny();
  return cell;
}
