// Evaluates a history fact (`you killed a follower from the panel`) on what was done since the
// cluster was last reset. Pure, like evaluate-check.ts: the records and the snapshot come in.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { HistoryFact } from '../../lessons/lesson-types.ts';
import { HISTORY_VERBS } from '../../lessons/parse-history-fact.ts';
import type { ActedNode, HistoryRecord } from '../session/action-log.ts';
import type { CheckOutcome } from './evaluate-check.ts';
import { nodeFor } from './node-for.ts';
import type { VariableValue } from './variables.ts';

/** The fact in words, as the learner reads it: "you killed a follower from the panel". */
export function describeHistoryFact(fact: HistoryFact): string {
  const verb = HISTORY_VERBS[fact.action as keyof typeof HISTORY_VERBS];
  const request = fact.request ? ` ${fact.request.method} ${fact.request.path}` : '';
  const t = fact.target;
  const target =
    t === null
      ? ''
      : t.kind === 'node'
        ? 'id' in t.node
          ? ` node${t.node.id}`
          : ` {{${t.node.variable}}}`
        : t.role === 'leader' && fact.count === 1
          ? ' the leader'
          : fact.count === 1
            ? ` a ${t.role}`
            : ` ${fact.count} ${t.role}s`;
  const to = fact.action === 'send' && target !== '' ? ` to${target}` : target;
  const source = fact.source === null ? '' : fact.source === 'panel' ? ' from the panel' : ' from a cell';
  return `you ${verb}${request}${to}${source}`;
}

function describeRecord(r: HistoryRecord): string {
  const verb = HISTORY_VERBS[r.action as keyof typeof HISTORY_VERBS] ?? r.action;
  const nodes = r.nodes.map((n) => `${n.name} (${n.role === 'unknown' ? 'role unknown' : `a ${n.role}`})`);
  const what = r.request
    ? `${r.request.method} ${r.request.path}${nodes.length ? ` to ${nodes[0]}` : ''}`
    : nodes.join(', ');
  return `${verb} ${what}`.trim() + ` from ${r.source === 'panel' ? 'the panel' : 'a cell'}`;
}

export function evaluateHistory(
  fact: HistoryFact,
  records: readonly HistoryRecord[],
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
): CheckOutcome {
  let expected = describeHistoryFact(fact);
  const sameKind = records.filter(
    (r) =>
      r.ok &&
      r.action === fact.action &&
      (!fact.request ||
        (r.request?.method === fact.request.method && r.request.path.split('?')[0] === fact.request.path)),
  );
  const relevant = sameKind.filter((r) => fact.source === null || r.source === fact.source);
  let matches: (n: ActedNode) => boolean = () => true;
  const t = fact.target;
  if (t?.kind === 'role') matches = (n) => t.role === 'node' || n.role === t.role;
  else if (t?.kind === 'node') {
    const node = nodeFor(t.node, snapshot, vars);
    if (typeof node === 'string') return { ok: false, expected, seen: node, cause: 'no value' };
    matches = (n) => n.id === node.id;
    if ('variable' in t.node) expected = expected.replace(`{{${t.node.variable}}}`, node.name);
  }
  const count =
    t === null ? relevant.length : relevant.reduce((sum, r) => sum + r.nodes.filter(matches).length, 0);
  const ok = count >= fact.count;
  const verb = HISTORY_VERBS[fact.action as keyof typeof HISTORY_VERBS];
  const seen =
    sameKind.length === 0
      ? `nothing ${verb} since the cluster was last reset`
      : sameKind.map(describeRecord).join('; ');
  return { ok, expected, seen: ok ? `you did: ${seen}` : seen, cause: ok ? null : 'not yet' };
}
