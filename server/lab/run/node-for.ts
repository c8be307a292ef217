// The node a check or a history fact names: `leader`, `nodeN`, or a `{{variable}}` holding a
// node's name (`node3`), id (`3`) or URL. A string when there is none, saying why for a learner.

import type { ClusterSnapshot, NodeView } from '../../contract/cluster-view.ts';
import type { CheckNode } from '../../lessons/lesson-types.ts';
import { leaderOf } from '../cluster/snapshot.ts';
import type { VariableValue } from './variables.ts';

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** The node a variable's value means: a name `node3`, an id `3`, or one of a node's URLs. */
export function nodeForValue(value: unknown, snapshot: ClusterSnapshot): NodeView | null {
  const text = String(value).trim();
  const id = /^node(\d+)$/.exec(text)?.[1] ?? (/^\d+$/.test(text) ? text : null);
  if (id !== null) return snapshot.nodes.find((n) => n.id === String(Number(id))) ?? null;
  const url = text.replace(/\/+$/, '');
  return (
    snapshot.nodes.find((n) => [n.url, ...(n.aliases ?? [])].some((u) => u.replace(/\/+$/, '') === url)) ??
    null
  );
}

export function nodeFor(
  which: CheckNode,
  snapshot: ClusterSnapshot,
  vars: Map<string, VariableValue>,
): NodeView | string {
  if (which === 'leader') return leaderOf(snapshot) ?? 'there is no leader';
  if ('variable' in which) {
    const name = which.variable;
    if (!vars.has(name)) return `{{${name}}} has no value: run the cell that captures it first`;
    const node = nodeForValue(vars.get(name), snapshot);
    if (!node) {
      const names = snapshot.nodes.map((n) => n.name).join(', ');
      return `{{${name}}} is ${show(vars.get(name))}, which is not a node of this cluster (${names}): capture a node's name like "node3", its id like "3" or its URL`;
    }
    return node;
  }
  return snapshot.nodes.find((n) => n.id === which.id) ?? `there is no node${which.id}`;
}
