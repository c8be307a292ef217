// Values, not placeholders: a cell's line as the learner reads it in an output, with each
// {{variable}} replaced by the value it had (the placeholder stays available on hover).

import type { ClusterNode } from '../../contract/cluster-view.ts';
import type { VariableValue } from './variables.ts';

/** Words after which a {{variable}} names a node: cluster actions and history facts. */
const NODE_BEFORE = /\b(?:kill|restart|pause|resume|killed|restarted|paused|resumed|partitioned|to)\s+$/;

/** The node a value means (its URL, an alias, or `nodeN`), if any. */
function nodeNamed(value: unknown, nodes: readonly ClusterNode[]): ClusterNode | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().replace(/\/+$/, '');
  return nodes.find(
    (n) => n.name === v || [n.url, ...(n.aliases ?? [])].some((u) => u.replace(/\/+$/, '') === v),
  );
}

/**
 * `text` with every known {{variable}} written as its value: a node's URL or name as the node's
 * name where the text names a node (`{{old_leader}}.state`, `kill {{leader}}`), an id in that
 * place as `nodeN`, other values as a lesson would write them (`3`, `"42"`). Unknown ones stay.
 * `quoted`: whether strings are written in quotes (a check line's value) or bare (a request line).
 */
export function shownText(
  text: string,
  values: ReadonlyMap<string, VariableValue>,
  nodes: readonly ClusterNode[],
  quoted = true,
): string {
  return text.replace(
    /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}(\.|\s+(?:is|log|committed)\b)?/g,
    (whole, name: string, after: string | undefined, offset: number) => {
      if (!values.has(name)) return whole;
      const value = values.get(name);
      const node = nodeNamed(value, nodes);
      if (node) return node.name + (after ?? '');
      // A node's place: before `.state`/`is`/`log`, or after an action (`you killed {{x}}`).
      const nodePlace = after !== undefined || NODE_BEFORE.test(text.slice(0, offset));
      if (nodePlace && /^\d+$/.test(String(value))) return `node${Number(value)}${after ?? ''}`;
      after ??= '';
      if (typeof value === 'string') return (quoted ? JSON.stringify(value) : value) + after;
      return JSON.stringify(value) + after;
    },
  );
}
