// {{variables}} in cells: the built-ins ({{node1}}…, {{leader}}, {{follower}}) and whatever an
// earlier cell of the lesson captured. {{leader}}/{{follower}} are looked up when the cell runs.

import type { ClusterNode, ClusterSnapshot } from '../../contract/cluster-view.ts';
import { variablesIn } from '../../lessons/parse-value.ts';
import { settledLeader } from '../cluster/snapshot.ts';
import { CellRunError } from './run-error.ts';

export type VariableValue = unknown;

export interface VariableScope {
  nodes: ClusterNode[];
  /** This lesson's captured values. */
  captured: Record<string, VariableValue>;
  /** A fresh look at the cluster, taken only when {{leader}} or {{follower}} is used. */
  snapshot: () => Promise<ClusterSnapshot>;
}

/** The node {{leader}} names: a leader a majority follows right now. */
export function leaderNode(snapshot: ClusterSnapshot): ClusterNode {
  const leader = settledLeader(snapshot);
  if (!leader) {
    throw CellRunError.transient(
      'there is no leader right now, so {{leader}} has no value',
      'Wait for an election (a `cluster` cell with `wait leader`), or make sure a majority of nodes is up.',
    );
  }
  return leader;
}

/** The node {{follower}} names: the first answering follower of the current leader. */
export function followerNode(snapshot: ClusterSnapshot): ClusterNode {
  const leader = settledLeader(snapshot);
  const follower =
    snapshot.nodes.find(
      (n) => n.status?.state === 'follower' && leader && n.status.leader_id === leader.id,
    ) ?? snapshot.nodes.find((n) => n.status?.state === 'follower');
  if (!follower) {
    throw CellRunError.transient(
      'no node is an answering follower right now, so {{follower}} has no value',
      'Wait for an election (`wait leader`) and make sure more than one node is up.',
    );
  }
  return follower;
}

/** Looks up every variable the texts use; throws naming the first unknown one. */
export async function resolveVariables(
  texts: string[],
  scope: VariableScope,
): Promise<Map<string, VariableValue>> {
  const names = new Set(texts.flatMap(variablesIn));
  const values = new Map<string, VariableValue>();
  let snapshot: ClusterSnapshot | undefined;
  const look = async () => {
    snapshot ??= await scope.snapshot();
    return snapshot;
  };
  for (const name of names) {
    const node = /^node(\d+)$/.exec(name);
    if (Object.hasOwn(scope.captured, name)) values.set(name, scope.captured[name]);
    else if (node) {
      const found = scope.nodes.find((n) => n.id === String(Number(node[1])));
      if (!found) {
        throw new CellRunError(
          `there is no ${name} in this cluster`,
          `This cluster has ${scope.nodes.map((n) => n.name).join(', ')}.`,
        );
      }
      values.set(name, found.url);
    } else if (name === 'leader') values.set(name, leaderNode(await look()).url);
    else if (name === 'follower') values.set(name, followerNode(await look()).url);
    else {
      const captured = Object.keys(scope.captured);
      throw new CellRunError(
        `unknown variable {{${name}}}`,
        `Built-in variables are {{node1}}…{{node${scope.nodes.length}}}, {{leader}} and {{follower}}; ` +
          (captured.length > 0
            ? `this lesson has captured ${captured.map((c) => `{{${c}}}`).join(', ')}.`
            : 'nothing has been captured yet: run the cell that captures it first.'),
      );
    }
  }
  return values;
}

/** Puts values into a text: strings as they are, anything else as JSON. */
export function fillIn(text: string, values: Map<string, VariableValue>): string {
  return text.replace(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g, (whole, name: string) => {
    if (!values.has(name)) return whole;
    const v = values.get(name);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}
