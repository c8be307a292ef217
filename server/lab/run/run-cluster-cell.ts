// Runs a `cluster` cell: each action through the backend, in order, stopping at the first that fails.

import type { ClusterNode, ClusterSnapshot, Fault } from '../../contract/cluster-view.ts';
import type { ActionResult } from '../../contract/lab-api.ts';
import type { ClusterAction, ClusterActionLine, NodeRef } from '../../lessons/lesson-types.ts';
import { settledLeader, summarize } from '../cluster/snapshot.ts';
import { isNetworkAction, performNetworkAction } from './network-actions.ts';
import { pause, type RunContext } from './run-context.ts';
import { CellRunError } from './run-error.ts';
import { followerNode, leaderNode } from './variables.ts';

const POLL_MS = 150;
/** After `reset`, the fresh cluster gets this long to elect a leader. */
const RESET_LEADER_MS = 15_000;

/** `node3`, `{{leader}}`, or a captured variable holding a node URL, name or id. */
async function resolveNode(ref: NodeRef, ctx: RunContext): Promise<ClusterNode> {
  const nodes = ctx.backend.nodes();
  const names = nodes.map((n) => n.name).join(', ');
  if (ref.kind === 'node') {
    const node = nodes.find((n) => n.id === ref.id);
    if (!node)
      throw new CellRunError(`there is no node${ref.id} in this cluster`, `This cluster has ${names}.`);
    return node;
  }
  if (ref.name === 'leader') return leaderNode(await ctx.snapshot());
  if (ref.name === 'follower') return followerNode(await ctx.snapshot());
  if (!Object.hasOwn(ctx.captured, ref.name)) {
    throw new CellRunError(
      `unknown variable {{${ref.name}}}`,
      'Use node1…, {{leader}}, {{follower}} or a captured variable.',
    );
  }
  const value = String(ctx.captured[ref.name]);
  const node =
    ctx.guard.nodeFor(value) ??
    nodes.find((n) => n.name === value || n.id === value || `node${n.id}` === value);
  if (!node)
    throw new CellRunError(
      `{{${ref.name}}} is \`${value}\`, which is not a node`,
      `This cluster has ${names}.`,
    );
  return node;
}

function requireFault(ctx: RunContext, fault: Fault, what: string): void {
  if (!ctx.backend.faults.includes(fault)) {
    throw new CellRunError(
      `the ${ctx.backend.kind} backend cannot ${what}`,
      `It offers: ${ctx.backend.faults.join(', ')}. Start the lab with another backend (--backend local) to use it.`,
    );
  }
}

/** Polls the cluster until `done` returns a detail, or throws with what was last seen. */
async function waitUntil(
  ctx: RunContext,
  timeoutMs: number,
  what: string,
  done: (s: ClusterSnapshot) => string | null,
  hint: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: ClusterSnapshot;
  for (;;) {
    last = await ctx.snapshot();
    const detail = done(last);
    if (detail !== null) return detail;
    if (Date.now() >= deadline) break;
    await pause(POLL_MS);
  }
  throw new CellRunError(`${what} within ${timeoutMs / 1000} s; last seen: ${summarize(last)}`, hint);
}

const waitLeader = (ctx: RunContext, timeoutMs: number) =>
  waitUntil(
    ctx,
    timeoutMs,
    'no leader was elected',
    (s) => {
      const leader = settledLeader(s);
      return leader ? `${leader.name} is leader in term ${leader.status!.term}` : null;
    },
    'A leader needs a majority of nodes up and able to talk: restart, resume or heal some nodes.',
  );

async function perform(action: ClusterAction, ctx: RunContext): Promise<string> {
  const b = ctx.backend;
  if (isNetworkAction(action))
    return performNetworkAction(action, ctx, { resolveNode, requireFault, waitUntil });
  switch (action.kind) {
    case 'kill': {
      requireFault(ctx, 'kill', 'kill a node');
      const node = await resolveNode(action.node, ctx);
      await b.kill(node.id);
      return `${node.name} killed`;
    }
    case 'restart': {
      requireFault(ctx, 'restart', 'restart a node');
      const node = await resolveNode(action.node, ctx);
      await b.restart(node.id);
      return `${node.name} restarted on its data`;
    }
    case 'pause': {
      requireFault(ctx, 'pause', 'pause a node');
      const node = await resolveNode(action.node, ctx);
      await b.pause(node.id);
      return `${node.name} paused`;
    }
    case 'resume': {
      requireFault(ctx, 'resume', 'resume a node');
      const node = await resolveNode(action.node, ctx);
      await b.resume(node.id);
      return `${node.name} resumed`;
    }
    case 'partition': {
      requireFault(ctx, 'partition', 'partition the network');
      const groups: ClusterNode[][] = [];
      for (const g of action.groups) {
        const nodes: ClusterNode[] = [];
        for (const ref of g) nodes.push(await resolveNode(ref, ctx));
        groups.push(nodes);
      }
      const ids = groups.flat().map((n) => n.id);
      const twice = ids.find((id, i) => ids.indexOf(id) !== i);
      if (twice)
        throw new CellRunError(
          `node${twice} is in two groups of the partition`,
          'Put each node in one group.',
        );
      await b.partition(groups.map((g) => g.map((n) => n.id)));
      return `partitioned: ${groups.map((g) => g.map((n) => n.name).join(',')).join(' | ')}`;
    }
    case 'heal':
      requireFault(ctx, 'heal', 'heal a partition');
      await b.heal();
      return 'every partition healed';
    case 'speed':
      requireFault(ctx, 'speed', 'change the speed');
      await b.speed(action.factor);
      return action.factor === 1 ? 'normal speed' : `timers at ${action.factor}× speed`;
    case 'noop':
      requireFault(ctx, 'noop', "switch the leaders' no-op");
      await b.noop(action.enabled);
      return action.enabled
        ? 'a new leader appends a no-op of its term (§8)'
        : 'no no-op on election: old-term entries wait for a new leader’s first command (Figure 8)';
    case 'wait-leader':
      return waitLeader(ctx, action.timeoutMs);
    case 'wait-caught-up': {
      const node = await resolveNode(action.node, ctx);
      return waitUntil(
        ctx,
        action.timeoutMs,
        `${node.name} did not catch up with the leader`,
        (s) => {
          const leader = settledLeader(s);
          const me = s.nodes.find((n) => n.id === node.id)?.status;
          if (!leader || !me || me.commit_index < leader.status!.commit_index) return null;
          return `${node.name} has committed up to index ${me.commit_index}, as the leader ${leader.name}`;
        },
        `${node.name} must be up and able to reach the leader; restart, resume or heal it.`,
      );
    }
    case 'sleep':
      await pause(action.ms);
      return `waited ${action.ms} ms`;
    case 'reset': {
      requireFault(ctx, 'reset', 'reset the cluster');
      await b.reset();
      const leader = await waitLeader(ctx, RESET_LEADER_MS);
      return `fresh cluster: every node wiped and restarted; ${leader}`;
    }
  }
}

export async function runClusterAction(
  line: Pick<ClusterActionLine, 'text' | 'action'>,
  ctx: RunContext,
): Promise<ActionResult> {
  const started = performance.now();
  const at = Date.now();
  let result: ActionResult;
  try {
    const detail = await perform(line.action, ctx);
    result = { text: line.text, ok: true, detail, durationMs: Math.round(performance.now() - started), at };
  } catch (e) {
    if (!(e instanceof CellRunError)) {
      // A backend failure (process would not start, Docker error): still a message for a person.
      result = {
        text: line.text,
        ok: false,
        detail: `the cluster could not do it: ${(e as Error).message}`,
        durationMs: Math.round(performance.now() - started),
        at,
      };
    } else {
      result = {
        text: line.text,
        ok: false,
        detail: e.hint ? `${e.message}. ${e.hint}` : e.message,
        durationMs: Math.round(performance.now() - started),
        at,
      };
    }
  }
  ctx.actionDone?.(result);
  return result;
}

export async function runClusterCell(
  lines: ClusterActionLine[],
  ctx: RunContext,
): Promise<{ actions: ActionResult[] }> {
  const actions: ActionResult[] = [];
  for (const line of lines) {
    const result = await runClusterAction(line, ctx);
    actions.push(result);
    if (!result.ok) break;
  }
  return { actions };
}
