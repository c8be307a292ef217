// The parts of `cluster`-cell lines that control messages, links, timers and the picture
// (docs/lesson-format.md, "Messages, links and timers" and "What the picture shows"). The
// words themselves are listed once, in parse-cluster-cell.ts; each function here parses what
// follows a word and throws a message (no line) a learner can act on.
import { VIEW_PARTS } from '../contract/view.ts';
import type {
  LinkSetting,
  MessagePick,
  MessageSelector,
  NodeRef,
  NodeSet,
  ViewAction,
} from './lesson-types.ts';
import { parseDuration } from './parse-duration.ts';

/** `node3` or `{{leader}}`; null when the text is neither. */
type NodeRefParser = (text: string) => NodeRef | null;

const RPC_WORDS = ['request_vote', 'pre_vote', 'append_entries', 'timeout_now', 'heartbeat'] as const;
/** A message id as nodes number them: `<node>.<n>`, `-dup` for a duplicate. */
const MESSAGE_ID = /^[\w-]+\.\d+(?:-dup)?$/;

const SELECTOR_HELP =
  'e.g. `next`, `next request_vote`, `all to node2`, `next heartbeat from node1 to node3` or a message id such as `3.17`';

/** What follows `deliver`, `drop` or `highlight`: `next|all [rpc] [from N] [to N]`, or a message id. */
export function parseMessagePick(verb: string, words: string[], nodeRef: NodeRefParser): MessagePick {
  const [first, ...rest] = words;
  if (first !== undefined && rest.length === 0 && MESSAGE_ID.test(first)) return { which: 'id', id: first };
  if (first !== 'next' && first !== 'all') {
    throw new Error(`\`${verb}\` needs which held message: ${SELECTOR_HELP}`);
  }
  const select: MessageSelector = {};
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const rpc = RPC_WORDS.find((r) => r === w || `${r}s` === w);
    if (rpc && select.rpc === undefined) {
      select.rpc = rpc;
      continue;
    }
    if ((w === 'from' || w === 'to') && select[w] === undefined && rest[i + 1] !== undefined) {
      const ref = nodeRef(rest[++i]!);
      if (!ref)
        throw new Error(`\`${rest[i]}\` after \`${w}\` is not a node: write node1, node2… or {{leader}}`);
      select[w] = ref;
      continue;
    }
    throw new Error(
      `\`${w}\` is not part of a message choice: after \`${verb} ${first}\` write request_vote, pre_vote, append_entries, timeout_now or heartbeat, then \`from nodeN\` and/or \`to nodeN\``,
    );
  }
  return { which: first, select };
}

/** `20%` or `0.2` → 0.2. */
function probability(word: string | undefined, what: string): number {
  const m = word === undefined ? null : /^(\d+(?:\.\d+)?)(%?)$/.exec(word);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(v >= 0 && v <= 1)) {
    throw new Error(
      `\`${what}\` needs a chance such as 20% or 0.2 (from 0 to 100%), got \`${word ?? 'nothing'}\``,
    );
  }
  return v;
}

function millis(word: string | undefined, what: string): number {
  const ms = word === undefined ? null : parseDuration(word);
  if (ms === null || ms > 10_000) {
    throw new Error(
      `\`${what}\` needs a time such as 200ms or 1s (at most 10s), got \`${word ?? 'nothing'}\``,
    );
  }
  return ms;
}

const LINK_HELP =
  '`delay 200ms`, `jitter 50ms`, `loss 20%`, `duplicate 10%`, `reorder 30%` (any of them), or `normal`';

/** `delay 200ms jitter 50ms loss 20% duplicate 10% reorder 30%`, or `normal` (a perfect link). */
export function parseLinkSetting(verb: string, words: string[]): LinkSetting {
  if (words.length === 1 && words[0] === 'normal') return {};
  if (words.length === 0) throw new Error(`\`${verb}\` needs what the link does: ${LINK_HELP}`);
  const s: LinkSetting = {};
  for (let i = 0; i < words.length; i += 2) {
    const [k, v] = [words[i]!, words[i + 1]];
    if (k === 'delay') s.delayMs = millis(v, 'delay');
    else if (k === 'jitter') s.jitterMs = millis(v, 'jitter');
    else if (k === 'loss') s.loss = probability(v, 'loss');
    else if (k === 'duplicate') s.duplicate = probability(v, 'duplicate');
    else if (k === 'reorder') s.reorder = probability(v, 'reorder');
    else throw new Error(`\`${k}\` is not something a link does: write ${LINK_HELP}`);
  }
  return s;
}

/** `node1->node2` (or `node1 -> node2`): a directed link. */
export function parseLinkEnds(
  text: string,
  nodeRef: NodeRefParser,
): { from: NodeRef; to: NodeRef; rest: string[] } {
  const m = /^(\S+?)\s*->\s*(\S+)(?:\s+(.*))?$/.exec(text);
  const from = m ? nodeRef(m[1]!) : null;
  const to = m ? nodeRef(m[2]!) : null;
  if (!m || !from || !to) {
    throw new Error('`link` needs a direction first, e.g. `link node1->node2 delay 200ms`');
  }
  return { from, to, rest: m[3] ? m[3].split(' ') : [] };
}

/** `node3`, `node1,node3`, `all` or `followers` (timer actions). */
export function parseNodeSet(verb: string, text: string, nodeRef: NodeRefParser): NodeSet {
  if (text === 'all') return { kind: 'all' };
  if (text === 'followers') return { kind: 'followers' };
  const names = text.split(',').map((s) => s.trim());
  const nodes = names.map((n) => nodeRef(n));
  if (text === '' || nodes.some((n) => n === null)) {
    throw new Error(
      `\`${verb}\` needs nodes: write e.g. \`${verb} node3\`, \`${verb} node1,node2\`, \`${verb} followers\``,
    );
  }
  return { kind: 'nodes', nodes: nodes as NodeRef[] };
}

/** `show heartbeats`, `hide timeline`, `highlight node3`, `highlight next request_vote`, `highlight off`. */
export function parseViewAction(verb: string, words: string[], nodeRef: NodeRefParser): ViewAction {
  if (verb === 'show' || verb === 'hide') {
    const part = VIEW_PARTS.find((p) => p === words[0]);
    if (!part || words.length !== 1) {
      throw new Error(`\`${verb}\` needs one part of the picture: ${VIEW_PARTS.join(', ')}`);
    }
    return { kind: verb, part };
  }
  if (words.length === 1 && words[0] === 'off') return { kind: 'highlight-off' };
  const node = words.length === 1 ? nodeRef(words[0]!) : null;
  if (node) return { kind: 'highlight', node };
  if (words.length === 0) {
    throw new Error(
      '`highlight` needs a node (`highlight node3`), a held message (`highlight next request_vote`) or `off`',
    );
  }
  return { kind: 'highlight', message: parseMessagePick('highlight', words, nodeRef) };
}
