// A `cluster` cell: one action a line (`kill node3`, `partition node1,node2 | node3,node4,node5`…).

import { FAULT_WORDS } from '../contract/fault-words.ts';
import { READ_MODES } from '../contract/read-modes.ts';
import { CELL_PLACE, ProblemList, type SourcePlace } from './lesson-error.ts';
import type { ClusterAction, ClusterActionLine, NodeRef } from './lesson-types.ts';
import { parseDuration } from './parse-duration.ts';
import {
  parseLinkEnds,
  parseLinkSetting,
  parseMessagePick,
  parseNodeSet,
  parseViewAction,
} from './parse-network-action.ts';

export const DEFAULT_WAIT_MS = 10_000;

/** The words a cluster-cell line starts with (the web app's editor completes them). */
export const CLUSTER_ACTION_WORDS = [
  ...Object.values(FAULT_WORDS).flat(),
  'wait leader',
  'wait candidate',
  // what the picture shows (docs/lesson-format.md, "What the picture shows")
  'show',
  'hide',
  'highlight',
] as const;

export const CLUSTER_ACTIONS_HELP =
  'kill nodeN, restart nodeN, pause nodeN, resume nodeN, partition node1,node2 | node3,node4,node5, heal, ' +
  'speed 0.1, noop off, noop on, prevote on|off, checkquorum on|off, ' +
  `reads ${READ_MODES.join('|')}, transfer leadership to nodeN, ` +
  'wait leader [20s], wait candidate [20s], wait nodeN caught up [20s], wait 2s, reset, ' +
  'hold, release, deliver next [request_vote|pre_vote] [from nodeN] [to nodeN], drop next …, deliver all …, ' +
  'link node1->node2 delay 200ms jitter 50ms loss 20% duplicate 10% reorder 30%, wires delay 300ms, ' +
  'pause timer nodeN, resume timer nodeN, pause timers, resume timers, timeout nodeN, ' +
  'show heartbeats|timeline|ring, hide …, highlight nodeN, highlight next request_vote, highlight off' +
  ', snapshot every 50, write 100, wipe nodeN, add nodeN, promote nodeN, remove nodeN';

/** Most commands one `write` sends (a lesson needs a few hundred at most). */
export const MAX_WRITE_COUNT = 2000;

/** `node3` or `{{leader}}`/`{{follower}}`/`{{captured}}`. */
export function parseNodeRef(text: string): NodeRef | null {
  const t = text.trim();
  const n = /^node(\d+)$/.exec(t);
  if (n) return { kind: 'node', id: String(Number(n[1])) };
  const v = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}$/.exec(t);
  if (v) return { kind: 'variable', name: v[1]! };
  return null;
}

/** Parses one action; throws a message (no line) when it is not one. */
export function parseClusterAction(text: string): ClusterAction {
  const t = text.trim().replace(/\s+/g, ' ');
  const [verb, ...args] = t.split(' ');
  const rest = args.join(' ');
  const node = (what: string): NodeRef => {
    const ref = parseNodeRef(rest);
    if (!ref)
      throw new Error(`\`${what}\` needs one node: write \`${what} node3\` or \`${what} {{leader}}\``);
    return ref;
  };
  const timeout = (s: string | undefined): number => {
    if (s === undefined) return DEFAULT_WAIT_MS;
    const ms = parseDuration(s);
    if (ms === null || ms > 300_000)
      throw new Error(`\`${s}\` is not a timeout: write e.g. 20s (at most 300s)`);
    return ms;
  };
  switch (verb) {
    case 'pause':
    case 'resume':
      // `pause timer node3`, `pause timers`: the node runs on, only its election timer stops.
      if (args[0] === 'timers' && args.length === 1)
        return { kind: 'timer', paused: verb === 'pause', nodes: { kind: 'all' } };
      if (args[0] === 'timer') {
        return {
          kind: 'timer',
          paused: verb === 'pause',
          nodes: parseNodeSet(`${verb} timer`, args.slice(1).join(' '), parseNodeRef),
        };
      }
      return { kind: verb, node: node(verb) };
    case 'kill':
    case 'restart':
    case 'wipe':
    case 'add':
    case 'promote':
    case 'remove':
      return { kind: verb, node: node(verb) };
    case 'snapshot': {
      const m = /^every (\d+)$/.exec(rest);
      const n = m ? Number(m[1]) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 1) {
        throw new Error(
          '`snapshot` needs a threshold: `snapshot every 50` makes each node snapshot once 50 applied entries follow its last snapshot',
        );
      }
      return { kind: 'snapshot', entries: n };
    }
    case 'write': {
      const n = /^\d+$/.test(rest) ? Number(rest) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WRITE_COUNT) {
        throw new Error(
          `\`write\` needs a number of commands from 1 to ${MAX_WRITE_COUNT}, e.g. \`write 100\``,
        );
      }
      return { kind: 'write', count: n };
    }
    case 'heal':
    case 'reset':
    case 'hold':
    case 'release':
      if (rest !== '') throw new Error(`\`${verb}\` takes nothing after it`);
      return { kind: verb };
    case 'deliver':
    case 'drop':
      return { kind: verb, pick: parseMessagePick(verb, args, parseNodeRef) };
    case 'link': {
      const ends = parseLinkEnds(rest, parseNodeRef);
      return { kind: 'link', from: ends.from, to: ends.to, setting: parseLinkSetting('link', ends.rest) };
    }
    case 'wires':
      return { kind: 'wires', setting: parseLinkSetting('wires', args) };
    case 'timeout':
      return { kind: 'timeout', nodes: parseNodeSet('timeout', rest, parseNodeRef) };
    case 'show':
    case 'hide':
    case 'highlight':
      return { kind: 'view', view: parseViewAction(verb, args, parseNodeRef) };
    case 'speed': {
      const f = Number(rest);
      if (rest === '' || !Number.isFinite(f) || f < 0.05 || f > 10) {
        throw new Error(
          '`speed` needs a factor from 0.05 to 10: `speed 0.1` is slow motion, `speed 1` normal',
        );
      }
      return { kind: 'speed', factor: f };
    }
    case 'noop':
      if (rest !== 'on' && rest !== 'off') {
        throw new Error(
          '`noop` needs `on` or `off`: `noop off` stops new leaders appending their no-op (§8), `noop on` restores it',
        );
      }
      return { kind: 'noop', enabled: rest === 'on' };
    case 'prevote':
      if (rest !== 'on' && rest !== 'off') {
        throw new Error(
          '`prevote` needs `on` or `off`: `prevote off` lets a server that was cut off raise its term and disrupt the cluster (dissertation §9.6), `prevote on` restores PreVote',
        );
      }
      return { kind: 'switches', switches: { pre_vote: rest === 'on' } };
    case 'checkquorum':
      if (rest !== 'on' && rest !== 'off') {
        throw new Error(
          '`checkquorum` needs `on` or `off`: `checkquorum off` turns off CheckQuorum and leader stickiness (dissertation §6.2, §4.2.3), `checkquorum on` restores them',
        );
      }
      return { kind: 'switches', switches: { check_quorum: rest === 'on' } };
    case 'reads': {
      const mode = READ_MODES.find((m) => m === rest);
      if (mode === undefined) {
        throw new Error(
          `\`reads\` needs one of ${READ_MODES.join(', ')}: \`reads read_index\` is the safe default (dissertation §6.4), \`reads unsafe_local\` lets any node answer from its own state (stale reads)`,
        );
      }
      return { kind: 'switches', switches: { read_mode: mode } };
    }
    case 'transfer': {
      const m = /^leadership to (.+)$/.exec(rest);
      const ref = m ? parseNodeRef(m[1]!) : null;
      if (!ref) throw new Error('`transfer` is `transfer leadership to node3` (or `{{follower}}`)');
      return { kind: 'transfer', to: ref };
    }
    case 'partition': {
      const groups = rest.split('|').map((g) =>
        g
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      );
      if (groups.length < 2 || groups.some((g) => g.length === 0)) {
        throw new Error(
          '`partition` needs groups of nodes split by |, e.g. `partition node1,node2 | node3,node4,node5`',
        );
      }
      const refs = groups.map((g) =>
        g.map((name) => {
          const ref = parseNodeRef(name);
          if (!ref)
            throw new Error(`\`${name}\` in the partition is not a node: write node1, node2… or {{leader}}`);
          return ref;
        }),
      );
      return { kind: 'partition', groups: refs };
    }
    case 'wait': {
      if (args[0] === 'leader' && args.length <= 2)
        return { kind: 'wait-leader', timeoutMs: timeout(args[1]) };
      if (args[0] === 'candidate' && args.length <= 2)
        return { kind: 'wait-candidate', timeoutMs: timeout(args[1]) };
      if (args.length >= 3 && args[1] === 'caught' && args[2] === 'up' && args.length <= 4) {
        const ref = parseNodeRef(args[0]!);
        if (ref) return { kind: 'wait-caught-up', node: ref, timeoutMs: timeout(args[3]) };
      }
      if (args.length === 1 && parseDuration(args[0]!) !== null) {
        const ms = parseDuration(args[0]!)!;
        if (ms > 60_000) throw new Error('`wait` for a fixed time is limited to 60s');
        return { kind: 'sleep', ms };
      }
      throw new Error(
        '`wait` is `wait leader`, `wait leader 20s`, `wait candidate`, `wait node3 caught up` or `wait 2s`',
      );
    }
    default:
      throw new Error(`unknown action \`${verb}\`: the actions are ${CLUSTER_ACTIONS_HELP}`);
  }
}

export function parseClusterCell(source: string, place: SourcePlace = CELL_PLACE): ClusterActionLine[] {
  const problems = new ProblemList(place);
  const actions: ClusterActionLine[] = [];
  source.split('\n').forEach((raw, i) => {
    const text = raw.replace(/#.*$/, '').trim();
    if (text === '') return;
    try {
      actions.push({ text, action: parseClusterAction(text), lineIndex: i });
    } catch (e) {
      problems.add(i, (e as Error).message);
    }
  });
  if (actions.length === 0 && problems.problems.length === 0) {
    problems.add(0, `the cluster cell has no action: write one a line, e.g. ${CLUSTER_ACTIONS_HELP}`);
  }
  problems.throwIfAny();
  return actions;
}
