// Evaluates `check` assertions on one look at the cluster. Pure: no I/O, so it is easy to test.

import type { NodeStatus } from '../../cluster/node-status.ts';
import type { ClusterSnapshot, NodeView } from '../../contract/cluster-view.ts';
import type { NodeEvent } from '../../contract/node-events.ts';
import type {
  CheckAssertion,
  CheckFailureCause,
  CheckNode,
  CheckOperand,
  CheckOperator,
  CheckSubject,
  NodeFact,
  Quantifier,
  Value,
} from '../../lessons/lesson-types.ts';
import { leadersInNewestTerm, logLength } from '../cluster/snapshot.ts';
import { historyFact } from '../history/history-facts.ts';
import type { HistoryRecord } from '../session/action-log.ts';
import { resolveValue } from './evaluate-assert.ts';
import { evaluateHistory } from './evaluate-history.ts';
import { nodeFor } from './node-for.ts';
import type { VariableValue } from './variables.ts';

export interface CheckOutcome {
  ok: boolean;
  expected: string;
  seen: string;
  /** Why it failed (null when it held): picks the lesson's hint for that cause. */
  cause: CheckFailureCause | null;
}

/** A value read from the cluster, or the reason there is none. */
type Reading =
  | { ok: true; value: unknown; where: string }
  | { ok: false; why: string; cause: CheckFailureCause };

const show = (v: unknown) =>
  typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v);

function readPath(status: NodeStatus, path: string[], where: string): Reading {
  if (path.length === 2 && path[0] === 'log' && path[1] === 'length') {
    return { ok: true, value: logLength(status), where };
  }
  let value: unknown = status;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
      return { ok: false, why: `${where} has no ${path.join('.')}`, cause: 'mismatch' };
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (path.at(-1) === 'length' && Array.isArray(value)) value = value.length;
  return { ok: true, value, where };
}

function nodeText(which: CheckNode): string {
  return which === 'leader' ? 'leader' : 'variable' in which ? `{{${which.variable}}}` : `node${which.id}`;
}

function unreachable(node: NodeView): string {
  return `${node.name} is ${node.error === 'down' || node.error === 'paused' ? node.error : `unreachable (${node.error})`}`;
}

/** The node events recorded since the last reset (null: the lab follows no event streams). */
type Recorded = readonly NodeEvent[] | null;

function readSubject(
  subject: CheckSubject,
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
  recorded: Recorded = null,
): Reading {
  const answering = snapshot.nodes.filter((n) => n.status);
  switch (subject.kind) {
    case 'history': {
      if (recorded === null) {
        return {
          ok: false,
          why: 'the lab keeps no history here (it follows no node event streams)',
          cause: 'no value',
        };
      }
      const { value, where } = historyFact(subject.fact, recorded);
      return { ok: true, value, where };
    }
    case 'leaders': {
      const leaders = leadersInNewestTerm(snapshot);
      const who =
        leaders.length === 0
          ? 'no node says leader'
          : leaders.map((n) => `${n.name}, term ${n.status!.term}`).join('; ');
      return { ok: true, value: leaders.length, where: who };
    }
    case 'terms': {
      const terms = new Set(answering.map((n) => n.status!.term));
      return {
        ok: true,
        value: terms.size,
        where: answering.map((n) => `${n.name}: ${n.status!.term}`).join(', '),
      };
    }
    case 'term':
      return { ok: true, value: snapshot.term, where: 'the highest term' };
    case 'node-path': {
      const node = nodeFor(subject.node, snapshot, vars);
      if (typeof node === 'string') return { ok: false, why: node, cause: missingCause(subject.node) };
      if (!node.status) return { ok: false, why: unreachable(node), cause: 'down' };
      // Say which node a {{variable}} turned out to be; a plain node name needs no note.
      const where =
        typeof subject.node === 'object' && 'variable' in subject.node
          ? `${nodeText(subject.node)} = ${node.name}`
          : node.name;
      return readPath(node.status, subject.path, where);
    }
  }
}

function readOperand(
  operand: CheckOperand,
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
  recorded: Recorded = null,
): Reading {
  if (operand.kind === 'subject') return readSubject(operand.subject, snapshot, vars, recorded);
  if (operand.value.kind === 'variable' && !vars.has(operand.value.name)) {
    return {
      ok: false,
      why: `{{${operand.value.name}}} has no value: run the cell that captures it first`,
      cause: 'no value',
    };
  }
  return { ok: true, value: resolveValue(operand.value, vars), where: '' };
}

/** Like ==, but "42" (a kv value) equals 42: learners should not trip on the store's strings. */
function compare(left: unknown, op: CheckOperator, right: unknown): boolean {
  const numeric = (v: unknown) =>
    typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  let a = left;
  let b = right;
  if (typeof a === 'number' || typeof b === 'number') {
    a = numeric(a);
    b = numeric(b);
  }
  switch (op) {
    case '==':
      return JSON.stringify(a) === JSON.stringify(b);
    case '!=':
      return JSON.stringify(a) !== JSON.stringify(b);
    case 'contains':
      if (typeof a === 'string') return typeof b === 'string' && a.includes(b);
      return Array.isArray(a) && a.some((x) => JSON.stringify(x) === JSON.stringify(b));
    default: {
      const sameType =
        (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
      if (!sameType) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === '>' ? x > y : op === '>=' ? x >= y : op === '<' ? x < y : x <= y;
    }
  }
}

/** Why a node named by `which` could not be found: no leader, or a variable with no (node) value. */
function missingCause(which: CheckNode): CheckFailureCause {
  return which === 'leader' ? 'no leader' : 'no value';
}

function compareReadings(left: Reading, op: CheckOperator, right: Reading, rightText: string): CheckOutcome {
  const expected = `${op} ${right.ok ? show(right.value) : rightText}`;
  if (!right.ok) return { ok: false, expected, seen: right.why, cause: right.cause };
  if (!left.ok) return { ok: false, expected, seen: left.why, cause: left.cause };
  const where = left.where && !/^node\d+$|^leader$/.test(left.where) ? ` (${left.where})` : '';
  const ok = compare(left.value, op, right.value);
  return { ok, expected, seen: `${show(left.value)}${where}`, cause: ok ? null : 'mismatch' };
}

/** An operand as the learner wrote it: `"42"`, `7`, `{{term_before}}`, `leader.term` (never the parser's structure). */
function operandText(operand: CheckOperand): string {
  if (operand.kind === 'value') return valueText(operand.value);
  const s = operand.subject;
  return s.kind === 'node-path' ? `${nodeText(s.node)}.${s.path.join('.')}` : s.kind;
}

function valueText(v: Value): string {
  if (v.kind === 'variable') return `{{${v.name}}}`;
  if (v.kind === 'regex') return `/${v.pattern}/`;
  return show(v.value);
}

/** One node fact on one node: ok, and what was seen on that node. */
function nodeFact(
  fact: NodeFact,
  node: NodeView,
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
): { ok: boolean; seen: string; expected: string; cause: CheckFailureCause | null } {
  if (fact.kind === 'is') {
    const state = !node.up ? 'down' : node.paused ? 'paused' : node.status ? 'up' : 'down';
    const role = node.status?.state;
    const ok =
      fact.what === 'up' || fact.what === 'down' || fact.what === 'paused'
        ? state === fact.what
        : role === fact.what;
    const seen = node.status ? `${node.name} is up, ${role} in term ${node.status.term}` : unreachable(node);
    const cause = ok
      ? null
      : node.status || ['up', 'down', 'paused'].includes(fact.what)
        ? 'mismatch'
        : 'down';
    return { ok, seen, expected: `${node.name} is ${fact.what}`, cause };
  }
  if (!node.status)
    return { ok: false, seen: unreachable(node), expected: describeFact(fact), cause: 'down' };
  if (fact.kind === 'log-contains') {
    const command = resolveValue(fact.command, vars);
    const entry = node.status.log.find((e) => e.command === command);
    const committed = entry !== undefined && entry.index <= node.status.commit_index;
    const ok = fact.committed ? committed : entry !== undefined;
    const seen = !entry
      ? `${node.name}'s log (${logLength(node.status)} entries) has no ${show(command)}`
      : `${node.name} has it at index ${entry.index}${committed ? ', committed' : `, not committed (commit index ${node.status.commit_index})`}`;
    return { ok, seen, expected: describeFact(fact), cause: ok ? null : 'mismatch' };
  }
  const left = readPath(node.status, fact.path, node.name);
  const right = readOperand(fact.right, snapshot, vars);
  const outcome = compareReadings(left, fact.op, right, operandText(fact.right));
  return {
    ok: outcome.ok,
    seen: `${node.name}: ${outcome.seen}`,
    expected: `${fact.path.join('.')} ${outcome.expected}`,
    cause: outcome.cause,
  };
}

function describeFact(fact: NodeFact): string {
  if (fact.kind === 'is') return `is ${fact.what}`;
  if (fact.kind === 'log-contains')
    return `${fact.committed ? 'committed ' : ''}log contains ${valueText(fact.command)}`;
  return `${fact.path.join('.')} ${fact.op} ${operandText(fact.right)}`;
}

/** Of several failures, the cause to give a hint for: a node down explains more than a mismatch. */
function mainCause(causes: (CheckFailureCause | null)[]): CheckFailureCause | null {
  const order: CheckFailureCause[] = ['no value', 'no leader', 'down', 'not yet', 'mismatch'];
  return order.find((c) => causes.includes(c)) ?? null;
}

function quantified(
  quantifier: Quantifier,
  fact: NodeFact,
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
): CheckOutcome {
  const nodes = quantifier === 'every-up' ? snapshot.nodes.filter((n) => n.status) : snapshot.nodes;
  const results = nodes.map((n) => nodeFact(fact, n, snapshot, vars));
  const passing = results.filter((r) => r.ok);
  const failing = results.filter((r) => !r.ok);
  const what = describeFact(fact);
  switch (quantifier) {
    case 'every':
    case 'every-up': {
      const scope = quantifier === 'every' ? 'every node' : `every up node (${nodes.length})`;
      if (nodes.length === 0)
        return { ok: false, expected: `${scope}: ${what}`, seen: 'no node is up', cause: 'down' };
      return {
        ok: failing.length === 0,
        expected: `${scope}: ${what}`,
        seen: failing.length === 0 ? `all ${nodes.length} do` : failing.map((r) => r.seen).join('; '),
        cause: mainCause(failing.map((r) => r.cause)),
      };
    }
    case 'some':
      return {
        ok: passing.length > 0,
        expected: `some node: ${what}`,
        seen: passing.length > 0 ? passing[0]!.seen : `none: ${results.map((r) => r.seen).join('; ')}`,
        cause: passing.length > 0 ? null : mainCause(results.map((r) => r.cause)),
      };
    case 'no':
      return {
        ok: passing.length === 0,
        expected: `no node: ${what}`,
        seen: passing.length === 0 ? 'none does' : passing.map((r) => r.seen).join('; '),
        cause: passing.length === 0 ? null : 'mismatch',
      };
  }
}

/** The committed entries of every answering node agree index for index. */
function logsMatch(snapshot: ClusterSnapshot): CheckOutcome {
  const nodes = snapshot.nodes.filter((n) => n.status);
  const expected = 'the committed logs of every answering node agree';
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!.status!;
      const b = nodes[j]!.status!;
      const upTo = Math.min(a.commit_index, b.commit_index);
      const byIndex = new Map(b.log.map((e) => [e.index, e]));
      for (const e of a.log) {
        if (e.index > upTo) break;
        const other = byIndex.get(e.index);
        if (other && (other.term !== e.term || other.command !== e.command)) {
          return {
            ok: false,
            expected,
            seen: `${nodes[i]!.name} and ${nodes[j]!.name} differ at index ${e.index}: term ${e.term} ${show(e.command)} vs term ${other.term} ${show(other.command)}`,
            cause: 'mismatch',
          };
        }
      }
    }
  }
  const commits = nodes.map((n) => `${n.name} ${n.status!.commit_index}`).join(', ');
  return {
    ok: nodes.length > 0,
    expected,
    seen: nodes.length > 0 ? `they agree (commit index: ${commits})` : 'no node answers',
    cause: nodes.length > 0 ? null : 'down',
  };
}

/**
 * One check line on one look at the cluster. `history` is what was done since the cluster was
 * last reset (for `you killed a follower`; empty where nobody keeps one); `recorded` the node
 * events since then (for `dropped request_vote`, `max candidates in a term`; null where none are).
 */
export function evaluateCheck(
  assertion: CheckAssertion,
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
  history: readonly HistoryRecord[] = [],
  recorded: Recorded = null,
): CheckOutcome {
  switch (assertion.kind) {
    case 'history':
      return evaluateHistory(assertion.fact, history, snapshot, vars);
    case 'logs-match':
      return logsMatch(snapshot);
    case 'quantified':
      return quantified(assertion.quantifier, assertion.fact, snapshot, vars);
    case 'node-fact': {
      const node = nodeFor(assertion.node, snapshot, vars);
      if (typeof node === 'string')
        return {
          ok: false,
          expected: describeFact(assertion.fact),
          seen: node,
          cause: missingCause(assertion.node),
        };
      const r = nodeFact(assertion.fact, node, snapshot, vars);
      return {
        ok: r.ok,
        expected: assertion.node === 'leader' ? `the leader ${describeFact(assertion.fact)}` : r.expected,
        seen: r.seen,
        cause: r.cause,
      };
    }
    case 'compare':
      return compareReadings(
        readSubject(assertion.left, snapshot, vars, recorded),
        assertion.op,
        readOperand(assertion.right, snapshot, vars, recorded),
        operandText(assertion.right),
      );
  }
}
