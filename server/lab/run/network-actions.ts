// Runs the `cluster`-cell actions that work message by message (hold, release, deliver, drop,
// link, wires, pause/resume timer, timeout, wait candidate) and the ones that tell the picture
// what to show (show, hide, highlight). docs/lesson-format.md, "Messages, links and timers".

import type { ClusterNode, ClusterSnapshot, Fault } from '../../contract/cluster-view.ts';
import type { ViewDirective } from '../../contract/view.ts';
import type {
  ClusterAction,
  LinkSetting,
  MessagePick,
  NodeRef,
  NodeSet,
  ViewAction,
} from '../../lessons/lesson-types.ts';
import type { HeldOnNode, LinkFaultsBody, NetworkControl } from '../cluster/network-control.ts';
import { describeHeld, describeSelector, pickHeld, type ResolvedPick } from '../cluster/pick-held.ts';
import { pause, type RunContext } from './run-context.ts';
import { CellRunError } from './run-error.ts';

/** The actions this module runs (the rest are run-cluster-cell.ts's). */
const NETWORK_KINDS = [
  'hold',
  'release',
  'deliver',
  'drop',
  'link',
  'wires',
  'timer',
  'timeout',
  'wait-candidate',
  'view',
] as const satisfies readonly ClusterAction['kind'][];

export type NetworkAction = Extract<ClusterAction, { kind: (typeof NETWORK_KINDS)[number] }>;

/** What run-cluster-cell.ts lends: node lookup, the backend's faults, and polling. */
export interface ActionHelpers {
  resolveNode(ref: NodeRef, ctx: RunContext): Promise<ClusterNode>;
  requireFault(ctx: RunContext, fault: Fault, what: string): void;
  waitUntil(
    ctx: RunContext,
    timeoutMs: number,
    what: string,
    done: (s: ClusterSnapshot) => string | null,
    hint: string,
  ): Promise<string>;
}

/** How long `deliver next`/`drop next` wait for a matching request to be held (a node sends a moment after it decides). */
const PICK_WAIT_MS = 2000;
const PICK_POLL_MS = 100;

export function isNetworkAction(action: ClusterAction): action is NetworkAction {
  return (NETWORK_KINDS as readonly string[]).includes(action.kind);
}

export async function performNetworkAction(
  action: NetworkAction,
  ctx: RunContext,
  h: ActionHelpers,
): Promise<string> {
  const network = (fault: Fault, what: string): NetworkControl => {
    h.requireFault(ctx, fault, what);
    const n = ctx.backend.network;
    if (!n)
      throw new CellRunError(
        `the ${ctx.backend.kind} backend cannot ${what}`,
        'It cannot reach the nodes’ /admin API.',
      );
    return n;
  };
  switch (action.kind) {
    case 'hold':
      await network('messages', 'hold the network').hold(true);
      return 'the network is held: every request waits in its sender’s outbox until you deliver or drop it';
    case 'release':
      await network('messages', 'release the network').hold(false);
      return 'the network flows again: every held request was sent, oldest first';
    case 'deliver':
    case 'drop': {
      const n = network('messages', `${action.kind} messages`);
      const picked = await pick(n, action.pick, ctx, h, action.kind);
      if (action.kind === 'deliver') await n.deliver(picked);
      else await n.drop(picked);
      return `${action.kind === 'deliver' ? 'delivered' : 'dropped'} ${picked.map(describeHeld).join('; ')}`;
    }
    case 'link': {
      const n = network('links', 'change a link');
      const from = await h.resolveNode(action.from, ctx);
      const to = await h.resolveNode(action.to, ctx);
      if (from.id === to.id)
        throw new CellRunError(
          `a link joins two nodes; ${from.name}->${to.name} is one`,
          'Name two different nodes, e.g. `link node1->node2 delay 200ms`.',
        );
      await n.link(from.id, to.id, linkBody(action.setting));
      return `link ${from.name}→${to.name}: ${describeLink(action.setting)}`;
    }
    case 'wires':
      await network('links', 'slow the wires').wires(linkBody(action.setting));
      return `every link: ${describeLink(action.setting)}`;
    case 'timer': {
      const n = network('timers', 'pause election timers');
      const nodes = await nodeSet(action.nodes, ctx, h);
      await n.timers(
        nodes.map((x) => x.id),
        action.paused,
      );
      const names = nodes.map((x) => x.name).join(', ');
      return action.paused
        ? `election timer stopped on ${names} (the nodes run on; a leader keeps sending heartbeats)`
        : `election timer running again on ${names}`;
    }
    case 'timeout': {
      const n = network('timers', 'fire an election timer');
      const nodes = await nodeSet(action.nodes, ctx, h);
      await n.timeout(nodes.map((x) => x.id));
      const s = await ctx.snapshot();
      return nodes
        .map((x) => {
          const st = s.nodes.find((v) => v.id === x.id)?.status;
          return st ? `${x.name} timed out: ${st.state} in term ${st.term}` : `${x.name} timed out`;
        })
        .join('; ');
    }
    case 'wait-candidate':
      return h.waitUntil(
        ctx,
        action.timeoutMs,
        'no node became a candidate',
        (s) => {
          const c = s.nodes.find((v) => v.status?.state === 'candidate');
          return c ? `${c.name} is a candidate in term ${c.status!.term}` : null;
        },
        'A follower becomes a candidate when its election timer runs out: some timer must be running (`resume timer nodeN`) and no heartbeat may reach it (`hold`). With PreVote on (the default, §9.6) it is a pre_candidate first, and a candidate only once a majority granted its `pre_vote` requests: deliver them (`deliver all pre_vote`), or write `prevote off` before.',
      );
    case 'view':
      return showInPicture(action.view, ctx, h);
  }
}

/** The held requests a pick means; `next` waits a moment for one to be held. */
async function pick(
  n: NetworkControl,
  p: MessagePick,
  ctx: RunContext,
  h: ActionHelpers,
  verb: string,
): Promise<HeldOnNode[]> {
  const resolved: ResolvedPick =
    p.which === 'id'
      ? p
      : {
          which: p.which,
          select: {
            rpc: p.select.rpc,
            from: p.select.from ? (await h.resolveNode(p.select.from, ctx)).id : undefined,
            to: p.select.to ? (await h.resolveNode(p.select.to, ctx)).id : undefined,
          },
        };
  const deadline = Date.now() + (resolved.which === 'all' ? 0 : PICK_WAIT_MS);
  for (;;) {
    const held = await n.heldMessages();
    const picked = pickHeld(held, resolved);
    if (picked.length > 0) return picked;
    if (Date.now() >= deadline) {
      const what = resolved.which === 'id' ? `message ${resolved.id}` : describeSelector(resolved.select);
      const now =
        held.length === 0
          ? n.held
            ? 'Nothing is held right now.'
            : 'Nothing is held: the network is not held (run `hold` first).'
          : `Held now: ${held.slice(0, 6).map(describeHeld).join('; ')}${held.length > 6 ? ` and ${held.length - 6} more` : ''}.`;
      throw new CellRunError(`no held ${what} to ${verb}`, now);
    }
    await pause(PICK_POLL_MS, ctx.signal);
  }
}

async function nodeSet(set: NodeSet, ctx: RunContext, h: ActionHelpers): Promise<ClusterNode[]> {
  if (set.kind === 'nodes') {
    const nodes: ClusterNode[] = [];
    for (const ref of set.nodes) nodes.push(await h.resolveNode(ref, ctx));
    return nodes;
  }
  // Every running node; or every follower, which needs a look at the nodes.
  const running = ctx.backend.nodes().filter((n) => {
    const st = ctx.backend.nodeState(n.id);
    return st.up && !st.paused;
  });
  const s = set.kind === 'followers' ? await ctx.snapshot() : null;
  const up = s
    ? running.filter((n) => s.nodes.find((x) => x.id === n.id)?.status?.state === 'follower')
    : running;
  if (up.length === 0) {
    throw new CellRunError(
      set.kind === 'all' ? 'no node is running' : 'no node is a follower right now',
      'Restart or resume some nodes, or wait for an election (`wait leader`).',
    );
  }
  return up;
}

function linkBody(s: LinkSetting): LinkFaultsBody {
  return {
    delay_ms: s.delayMs ?? 0,
    jitter_ms: s.jitterMs ?? 0,
    loss: s.loss ?? 0,
    duplicate: s.duplicate ?? 0,
    reorder: s.reorder ?? 0,
  };
}

/** "delay 200 ms ± 50 ms, loss 20%" or "perfect (no delay, no loss)". */
function describeLink(s: LinkSetting): string {
  const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
  const parts = [
    s.delayMs || s.jitterMs ? `delay ${s.delayMs ?? 0} ms${s.jitterMs ? ` ± ${s.jitterMs} ms` : ''}` : '',
    s.loss ? `loss ${pct(s.loss)}` : '',
    s.duplicate ? `duplicate ${pct(s.duplicate)}` : '',
    s.reorder ? `reorder ${pct(s.reorder)}` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : 'perfect (no delay, no loss)';
}

async function showInPicture(v: ViewAction, ctx: RunContext, h: ActionHelpers): Promise<string> {
  const { directive, detail } = await resolveView(v, ctx, h);
  ctx.view?.(directive);
  return detail;
}

async function resolveView(
  v: ViewAction,
  ctx: RunContext,
  h: ActionHelpers,
): Promise<{ directive: ViewDirective; detail: string }> {
  if ('part' in v) {
    const what = v.part === 'heartbeats' ? 'each heartbeat' : `the ${v.part}`;
    return { directive: { kind: v.kind, part: v.part }, detail: `the picture ${v.kind}s ${what}` };
  }
  if (v.kind === 'highlight-off') {
    return { directive: { kind: 'highlight', node: null, message: null }, detail: 'nothing highlighted' };
  }
  if ('node' in v) {
    const node = await h.resolveNode(v.node, ctx);
    return {
      directive: { kind: 'highlight', node: node.id, message: null },
      detail: `${node.name} highlighted`,
    };
  }
  const n = ctx.backend.network;
  if (!n) {
    throw new CellRunError(
      `the ${ctx.backend.kind} backend cannot see held messages`,
      'It cannot reach the nodes’ /admin API.',
    );
  }
  // `highlight all …` points at the first of them.
  const one: MessagePick = v.message.which === 'all' ? { ...v.message, which: 'next' } : v.message;
  const [m] = await pick(n, one, ctx, h, 'highlight');
  return {
    directive: { kind: 'highlight', node: null, message: m!.id },
    detail: `${describeHeld(m!)} highlighted`,
  };
}
