// A check line about what the learner did, not only what the cluster looks like now:
// `you killed a follower`, `you paused the leader from the panel`, `you killed 2 nodes`,
// `you restarted {{old_leader}}`, `you sent POST /request_vote to a follower`, `you healed`.
// It counts the cluster actions (from cells and from the panel) and the requests of http cells
// since the cluster was last reset; a node's role is the one it had when it was acted on.
import type { HistoryAction, HistoryFact, HistoryTarget } from './lesson-types.ts';

/** The verb a history fact uses for each action: one list, also for the docs and the editor. */
export const HISTORY_VERBS = {
  kill: 'killed',
  restart: 'restarted',
  pause: 'paused',
  resume: 'resumed',
  partition: 'partitioned',
  heal: 'healed',
  send: 'sent',
} as const satisfies Record<HistoryAction, string>;

/** The roles a target may name, singular and plural (`a follower`, `2 followers`). */
export const HISTORY_ROLES = ['node', 'leader', 'follower', 'candidate'] as const;

/** `from the panel` / `from a cell` at the end of a history fact. */
export const HISTORY_SOURCES = { 'from the panel': 'panel', 'from a cell': 'cell' } as const;

export const HISTORY_HELP =
  'write e.g. `you killed a follower`, `you paused the leader from the panel`, `you killed 2 nodes`, ' +
  '`you restarted {{old_leader}}`, `you healed` or `you sent POST /request_vote to a follower`';

type Parse<T> = { ok: true; value: T } | { ok: false; message: string };

const NODE_WORD = String.raw`node(\d+)|\{\{\s*([A-Za-z_][\w-]*)\s*\}\}`;

/** `a follower`, `the leader`, `2 nodes`, `node3`, `{{old_leader}}`: the target and how many. */
function parseTarget(text: string): Parse<{ target: HistoryTarget; count: number }> {
  const t = text.trim();
  const one = new RegExp(`^(?:${NODE_WORD})$`).exec(t);
  if (one) {
    const node = one[1] !== undefined ? { id: String(Number(one[1])) } : { variable: one[2]! };
    return { ok: true, value: { target: { kind: 'node', node }, count: 1 } };
  }
  if (t === 'the leader') return { ok: true, value: { target: { kind: 'role', role: 'leader' }, count: 1 } };
  const m = /^(a|an|\d+)\s+(node|leader|follower|candidate)(s?)$/.exec(t);
  if (m) {
    const count = m[1] === 'a' || m[1] === 'an' ? 1 : Number(m[1]);
    if (count < 1) return { ok: false, message: `\`${t}\`: count at least 1` };
    if ((count === 1) === (m[3] === 's'))
      return { ok: false, message: `\`${t}\`: write \`a ${m[2]}\` or \`2 ${m[2]}s\`` };
    const role = m[2] as (typeof HISTORY_ROLES)[number];
    return { ok: true, value: { target: { kind: 'role', role }, count } };
  }
  return {
    ok: false,
    message: `\`${t}\` is not a node: write \`a node\`, \`a follower\`, \`the leader\`, \`2 nodes\`, \`node3\` or \`{{captured}}\``,
  };
}

/** Parses a line that starts with `you `; null when it does not (it is another kind of check). */
export function parseHistoryFact(line: string): Parse<HistoryFact> | null {
  const s = line.trim().replace(/\s+/g, ' ');
  if (!s.startsWith('you ')) return null;
  let rest = s.slice(4);
  let source: HistoryFact['source'] = null;
  for (const [words, which] of Object.entries(HISTORY_SOURCES)) {
    if (rest.endsWith(` ${words}`)) {
      source = which;
      rest = rest.slice(0, -words.length - 1);
    }
  }
  const verb = rest.split(' ')[0]!;
  const action = (Object.keys(HISTORY_VERBS) as HistoryAction[]).find((a) => HISTORY_VERBS[a] === verb);
  if (!action) {
    return {
      ok: false,
      message: `\`you ${verb}\`: the learner's actions are ${Object.values(HISTORY_VERBS).join(', ')}; ${HISTORY_HELP}`,
    };
  }
  const after = rest.slice(verb.length).trim();
  if (action === 'heal') {
    if (after !== '' && after !== 'the network' && after !== 'the partition')
      return { ok: false, message: '`you healed` takes no node (it heals every partition)' };
    return { ok: true, value: { action, target: null, count: 1, source } };
  }
  if (action === 'send') {
    const m = /^([A-Z]+) (\/\S*)(?: to (.+))?$/.exec(after);
    if (!m)
      return { ok: false, message: '`you sent` needs a method and a path: `you sent POST /request_vote`' };
    const target = m[3] === undefined ? null : parseTarget(m[3]);
    if (target && !target.ok) return target;
    return {
      ok: true,
      value: {
        action,
        target: target?.value.target ?? null,
        count: target?.value.count ?? 1,
        source,
        request: { method: m[1]!, path: m[2]! },
      },
    };
  }
  if (after === '') return { ok: false, message: `\`you ${verb}\` needs a node: ${HISTORY_HELP}` };
  const target = parseTarget(after);
  if (!target.ok) return target;
  return { ok: true, value: { action, ...target.value, source } };
}
