// Runs a `cluster` cell: each action through the backend, in order, stopping at the first that fails.

import type { ClusterNode, ClusterSnapshot, Fault } from '../../contract/cluster-view.ts';
import type { ActionResult } from '../../contract/lab-api.ts';
import type { SwitchesBody } from '../../contract/raft-switches.ts';
import type { ClusterAction, ClusterActionLine, NodeRef } from '../../lessons/lesson-types.ts';
import { settledLeader, summarize } from '../cluster/snapshot.ts';
import type { ActedNode } from '../session/action-log.ts';
import { isNetworkAction, performNetworkAction } from './network-actions.ts';
import { pause, type RunContext, RunStopped, stopIfAsked, untilStopped } from './run-context.ts';
import { CellRunError } from './run-error.ts';
import { followerNode, leaderNode } from './variables.ts';
import { writeCommands } from './write-commands.ts';

const POLL_MS = 150;
/** After `reset`, the fresh cluster gets this long to elect a leader. */
const RESET_LEADER_MS = 15_000;
/** `write N` may take this long per command before it gives up (a loaded machine). */
const WRITE_MS_PER_COMMAND = 200;

/** One look at the cluster per action, taken when first needed (roles and {{leader}} agree). */
type Look = () => Promise<ClusterSnapshot>;

/** `node3`, `{{leader}}`, or a captured variable holding a node URL, name or id. */
async function resolveNode(ref: NodeRef, ctx: RunContext, look: Look): Promise<ClusterNode> {
  const nodes = ctx.backend.nodes();
  const names = nodes.map((n) => n.name).join(', ');
  if (ref.kind === 'node') {
    const node = nodes.find((n) => n.id === ref.id);
    if (!node)
      throw new CellRunError(`there is no node${ref.id} in this cluster`, `This cluster has ${names}.`);
    return node;
  }
  if (ref.name === 'leader') return leaderNode(await look());
  if (ref.name === 'follower') return followerNode(await look());
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

/**
 * The id `add` starts: `node6`, or a variable holding a name or id (`{{lost}}` captured before
 * `remove`, when the node is no longer a member and so cannot be looked up).
 */
function newNodeId(ref: NodeRef, ctx: RunContext): string {
  if (ref.kind === 'node') return ref.id;
  const value = Object.hasOwn(ctx.captured, ref.name) ? String(ctx.captured[ref.name]) : '';
  const m = /^(?:node)?(\d{1,2})$/.exec(value);
  if (!m) {
    throw new CellRunError(
      `{{${ref.name}}} is \`${value}\`, which is not a node name or id`,
      'Write `add node6`, or capture a node id (jsonpath "$.node_id") before removing it.',
    );
  }
  return String(Number(m[1]));
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
  const deadlineAt = Date.now() + timeoutMs;
  let last: ClusterSnapshot;
  let attempt = 0;
  for (;;) {
    last = await untilStopped(ctx.snapshot(), ctx.signal);
    const detail = done(last);
    if (detail !== null) return detail;
    if (Date.now() >= deadlineAt) break;
    if (attempt++ % 6 === 0)
      ctx.progress({
        attempt,
        detail: `waiting: ${what.replace(/^no |did not /, '')}`,
        waitingFor: [waitingText(what)],
        deadlineAt,
      });
    await pause(POLL_MS, ctx.signal);
  }
  throw new CellRunError(`${what} within ${timeoutMs / 1000} s; last seen: ${summarize(last)}`, hint);
}

/** "no leader was elected" → "a leader to be elected", for the waiting line. */
function waitingText(failure: string): string {
  if (failure === 'no leader was elected') return 'a leader a majority follows';
  return failure.replace(/ did not catch up with the leader$/, ' to catch up with the leader');
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

/** What a switch cell line did, for the learner (dissertation sections as in docs/node-api.md). */
function describeSwitch(s: SwitchesBody): string {
  if (s.pre_vote !== undefined)
    return s.pre_vote
      ? 'PreVote on (§9.6): a server asks whether it could win before raising its term'
      : 'PreVote off: a server that times out raises its term at once, even if it cannot win';
  if (s.check_quorum !== undefined)
    return s.check_quorum
      ? 'CheckQuorum and leader stickiness on (§6.2, §4.2.3)'
      : 'CheckQuorum and leader stickiness off: plain Raft, any higher term deposes a leader';
  const mode = s.read_mode ?? 'read_index';
  return mode === 'unsafe_local'
    ? 'reads UNSAFE: every node answers `get` from its own state at once — values may be stale'
    : `reads by ${mode}${mode === 'read_index' ? ' (§6.4: heartbeat round, no log entry)' : mode === 'lease' ? ' (§6.4.1: needs clocks that run at the same rate)' : ' (an entry in the log for every read)'}`;
}

/** What an action did: the detail, the nodes it was done to, and its line with their names. */
interface Performed {
  detail: string;
  nodes?: ClusterNode[];
  shown?: string;
}

/** The role each node had in `snapshot` (taken just before the action). */
function actedNodes(nodes: ClusterNode[], snapshot: ClusterSnapshot | null): ActedNode[] {
  return nodes.map((n) => {
    const view = snapshot?.nodes.find((v) => v.id === n.id);
    const role: ActedNode['role'] = !view
      ? 'unknown'
      : view.status
        ? view.status.state
        : view.error === 'paused'
          ? 'paused'
          : view.error === 'down'
            ? 'down'
            : 'unknown';
    return { id: n.id, name: n.name, role };
  });
}

async function perform(action: ClusterAction, ctx: RunContext, look: Look): Promise<Performed> {
  const b = ctx.backend;
  if (isNetworkAction(action)) {
    const helpers = {
      resolveNode: (ref: NodeRef, c: RunContext) => resolveNode(ref, c, look),
      requireFault,
      waitUntil,
    };
    return { detail: await performNetworkAction(action, ctx, helpers) };
  }
  const onNode = async (
    fault: 'kill' | 'restart' | 'pause' | 'resume' | 'wipe' | 'promote' | 'remove',
    ref: NodeRef,
    what: string,
    done: string,
  ): Promise<Performed> => {
    requireFault(ctx, fault, what);
    const node = await resolveNode(ref, ctx, look);
    await look(); // the node's role before the action, for `you killed a follower`
    await (fault === 'remove' ? b.removeNode(node.id) : b[fault](node.id));
    return { detail: `${node.name} ${done}`, nodes: [node], shown: `${fault} ${node.name}` };
  };
  switch (action.kind) {
    case 'kill':
      return onNode('kill', action.node, 'kill a node', 'killed');
    case 'restart':
      return onNode('restart', action.node, 'restart a node', 'restarted on its data');
    case 'pause':
      return onNode('pause', action.node, 'pause a node', 'paused');
    case 'resume':
      return onNode('resume', action.node, 'resume a node', 'resumed');
    case 'partition': {
      requireFault(ctx, 'partition', 'partition the network');
      const groups: ClusterNode[][] = [];
      for (const g of action.groups) {
        const nodes: ClusterNode[] = [];
        for (const ref of g) nodes.push(await resolveNode(ref, ctx, look));
        groups.push(nodes);
      }
      await look();
      const ids = groups.flat().map((n) => n.id);
      const twice = ids.find((id, i) => ids.indexOf(id) !== i);
      if (twice)
        throw new CellRunError(
          `node${twice} is in two groups of the partition`,
          'Put each node in one group.',
        );
      await b.partition(groups.map((g) => g.map((n) => n.id)));
      const shown = `partition ${groups.map((g) => g.map((n) => n.name).join(',')).join(' | ')}`;
      // The nodes cut off from a majority: what `you partitioned the leader` is about.
      const majority = Math.floor(ctx.backend.nodes().length / 2) + 1;
      const cutOff = groups.filter((g) => g.length < majority).flat();
      return { detail: `partitioned: ${shown.slice('partition '.length)}`, nodes: cutOff, shown };
    }
    case 'heal':
      requireFault(ctx, 'heal', 'heal a partition');
      await b.heal();
      return { detail: 'every partition healed' };
    case 'speed':
      requireFault(ctx, 'speed', 'change the speed');
      await b.speed(action.factor);
      return { detail: action.factor === 1 ? 'normal speed' : `timers at ${action.factor}× speed` };
    case 'noop':
      requireFault(ctx, 'noop', "switch the leaders' no-op");
      await b.noop(action.enabled);
      return {
        detail: action.enabled
          ? 'a new leader appends a no-op of its term (§8)'
          : 'no no-op on election: old-term entries wait for a new leader’s first command (Figure 8)',
      };
    case 'switches':
      requireFault(ctx, 'switches', 'switch PreVote, CheckQuorum or the read mode');
      await b.switches(action.switches);
      return { detail: describeSwitch(action.switches) };
    case 'transfer': {
      requireFault(ctx, 'transfer', 'transfer leadership');
      const to = await resolveNode(action.to, ctx, look);
      const leader = settledLeader(await ctx.snapshot());
      if (!leader)
        throw new CellRunError(
          'there is no leader to hand leadership over',
          'Run `wait leader` first; a transfer is asked of the leader.',
        );
      if (leader.id === to.id)
        throw new CellRunError(
          `${to.name} already leads`,
          'Name another node: `transfer leadership to node3`.',
        );
      return { detail: await b.transferLeadership(leader.id, to.id), nodes: [to] };
    }
    case 'wait-leader':
      return { detail: await waitLeader(ctx, action.timeoutMs) };
    case 'wait-caught-up': {
      const node = await resolveNode(action.node, ctx, look);
      const detail = await waitUntil(
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
      return { detail, shown: `wait ${node.name} caught up` };
    }
    case 'sleep':
      await pause(action.ms, ctx.signal);
      return { detail: `waited ${action.ms} ms` };
    case 'snapshot':
      requireFault(ctx, 'snapshot', 'set the snapshot threshold');
      await b.snapshotEvery(action.entries);
      return {
        detail: `every node snapshots once ${action.entries} applied entries follow its last snapshot (paper §7)`,
      };
    case 'write': {
      const last = await writeCommands(
        action.count,
        ctx.snapshot,
        30_000 + action.count * WRITE_MS_PER_COMMAND,
      );
      return {
        detail: `${action.count} commands committed (set w1=1 … set w${action.count}=${action.count}); the last at index ${last}`,
      };
    }
    case 'wipe':
      return onNode(
        'wipe',
        action.node,
        'wipe a node',
        'killed and its data directory deleted (a lost disk)',
      );
    case 'add': {
      requireFault(ctx, 'add', 'add a node');
      const id = newNodeId(action.node, ctx);
      await b.addNode(id);
      return {
        detail: `node${id} started empty (JOINING=1) and added as a learner: it receives the log but does not vote (§4.2.1)`,
        shown: `add node${id}`,
      };
    }
    case 'promote':
      return onNode('promote', action.node, 'promote a node', 'is a voter now (§4.2.1)');
    case 'remove':
      return onNode(
        'remove',
        action.node,
        'remove a node',
        'removed from the configuration and shut down (§4.1)',
      );
    case 'reset': {
      requireFault(ctx, 'reset', 'reset the cluster');
      await b.reset();
      const leader = await waitLeader(ctx, RESET_LEADER_MS);
      return { detail: `fresh cluster: every node wiped, a fresh follower again; ${leader}` };
    }
  }
}

export async function runClusterAction(
  line: Pick<ClusterActionLine, 'text' | 'action'>,
  ctx: RunContext,
): Promise<ActionResult> {
  const started = performance.now();
  const at = Date.now();
  let before: Promise<ClusterSnapshot> | null = null;
  let seen: ClusterSnapshot | null = null;
  const look: Look = () => {
    before ??= ctx.snapshot().then((s) => {
      seen = s;
      return s;
    });
    return before;
  };
  let result: ActionResult;
  let performed: Performed = { detail: '' };
  try {
    stopIfAsked(ctx.signal);
    performed = await perform(line.action, ctx, look);
    result = {
      text: line.text,
      shown: performed.shown ?? line.text,
      ok: true,
      detail: performed.detail,
      durationMs: Math.round(performance.now() - started),
      at,
    };
  } catch (e) {
    if (e instanceof RunStopped) throw e;
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
  ctx.actionDone?.(result, { action: line.action.kind, nodes: actedNodes(performed.nodes ?? [], seen) });
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
