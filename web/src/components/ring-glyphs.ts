// The shapes of the ring picture, as SVG templates: a server (term colour, role, vote,
// election-timer arc, a candidate's votes, a leader's heartbeat pulse) and a message — shaped
// by its type (request_vote a diamond, append_entries a circle, a heartbeat a small dot), sized
// by its entries, a request filled and a reply hollow with ✓ or ✗, so neither needs colour.
import { nothing, type SVGTemplateResult, svg } from 'lit';
import type { RpcName } from '../../../server/contract/raft-rpc.ts';
import { arcPath, type Point } from '../history/ring-layout.ts';
import type { ServerScene } from '../history/scene.ts';
import { termColor } from './log-strip.ts';

const ROLE_WORD: Record<ServerScene['role'], string> = {
  leader: '★ LEADER',
  candidate: 'CANDIDATE',
  follower: 'follower',
  down: 'DOWN',
  paused: 'FROZEN',
  unknown: 'no answer',
};

export interface MessageLook {
  rpc: RpcName;
  kind: 'request' | 'response';
  heartbeat: boolean;
  entries: number;
  result: boolean | null;
  /** Heartbeats in summary mode: drawn small and faint. */
  quiet?: boolean;
}

/** The radius of a message's shape: heartbeats are small, appends grow with their entries. */
export function messageRadius(m: MessageLook): number {
  if (m.heartbeat) return m.quiet ? 2.5 : 3.5;
  return 5 + Math.min(5, 1.6 * Math.log2(1 + m.entries));
}

function colourOf(m: MessageLook): string {
  return m.heartbeat ? 'var(--hb)' : m.rpc === 'request_vote' ? 'var(--rv)' : 'var(--ae)';
}

/** One message at `p`; `cls` adds classes (held, lost, highlighted). */
export function messageShape(m: MessageLook, p: Point, cls = ''): SVGTemplateResult {
  const r = messageRadius(m);
  const colour = colourOf(m);
  const request = m.kind === 'request';
  const fill = request ? colour : 'var(--surface)';
  const body =
    m.rpc === 'request_vote'
      ? svg`<path d="M ${p.x} ${p.y - r * 1.25} L ${p.x + r * 1.25} ${p.y} L ${p.x} ${p.y + r * 1.25} L ${p.x - r * 1.25} ${p.y} Z"
          fill=${fill} stroke=${colour} stroke-width=${request ? 1 : 2}></path>`
      : svg`<circle cx=${p.x} cy=${p.y} r=${r} fill=${fill} stroke=${colour} stroke-width=${request ? 1 : 2}></circle>`;
  // A reply says how it went, in shape: ✓ granted / success, ✗ refused / failed.
  const mark =
    request || m.result === null || r < 4
      ? nothing
      : m.result
        ? svg`<path d="M ${p.x - r * 0.5} ${p.y} L ${p.x - r * 0.1} ${p.y + r * 0.45} L ${p.x + r * 0.55} ${p.y - r * 0.45}"
            fill="none" stroke=${colour} stroke-width="1.6"></path>`
        : svg`<path d="M ${p.x - r * 0.45} ${p.y - r * 0.45} L ${p.x + r * 0.45} ${p.y + r * 0.45} M ${p.x + r * 0.45} ${p.y - r * 0.45} L ${p.x - r * 0.45} ${p.y + r * 0.45}"
            fill="none" stroke=${colour} stroke-width="1.6"></path>`;
  return svg`<g class="msg ${cls}" opacity=${m.quiet ? 0.55 : 1}>${body}${mark}</g>`;
}

/** A ✕ where messages died; `count` > 1 for a retry storm. */
export function lostMark(p: Point, count: number, freshness: number, title: string): SVGTemplateResult {
  return svg`<g class="lost" opacity=${0.35 + 0.65 * freshness}>
    <title>${title}</title>
    <path d="M ${p.x - 5} ${p.y - 5} L ${p.x + 5} ${p.y + 5} M ${p.x + 5} ${p.y - 5} L ${p.x - 5} ${p.y + 5}"
      stroke="var(--bad)" stroke-width="2.5" stroke-linecap="round"></path>
    ${count > 1 ? svg`<text x=${p.x + 7} y=${p.y - 5} class="count">${count}×</text>` : nothing}
  </g>`;
}

/** A server at `c`: its circle in the colour of its term, the timer arc around it, its words below. */
export function serverShape(
  s: ServerScene,
  c: Point,
  r: number,
  peers: { id: string; at: Point }[],
  highlighted: boolean,
  label: { x: number; y: number; anchor: 'start' | 'middle' | 'end'; up: boolean },
): SVGTemplateResult {
  const dead = s.role === 'down' || s.role === 'paused' || s.role === 'unknown';
  const fill = dead ? 'var(--term-0)' : termColor(s.term);
  const t = s.timer;
  const pulse = s.heartbeatAgoMs !== null && s.heartbeatAgoMs < 250 ? s.heartbeatAgoMs / 250 : null;
  const vote = s.role === 'leader' || dead ? '' : s.votedFor ? `voted node${s.votedFor}` : 'no vote yet';
  return svg`<g class="server ${s.role}" data-node=${s.id}>
    ${highlighted ? svg`<circle class="halo" cx=${c.x} cy=${c.y} r=${r + 11}></circle>` : nothing}
    ${pulse !== null ? svg`<circle cx=${c.x} cy=${c.y} r=${r + 4 + pulse * 10} fill="none" stroke="var(--leader)" stroke-width="2" opacity=${1 - pulse}></circle>` : nothing}
    ${
      t
        ? svg`<path class="timer ${t.state}" d=${arcPath(c, r + 5, t.fraction)} fill="none"
            stroke=${t.fraction < 0.2 ? 'var(--bad)' : 'var(--text)'} stroke-width="4" stroke-linecap="butt"
            stroke-dasharray=${t.state === 'paused' ? '4 3' : 'none'}></path>`
        : nothing
    }
    <circle cx=${c.x} cy=${c.y} r=${r} fill=${fill} stroke=${s.role === 'leader' ? 'var(--text)' : 'var(--border)'}
      stroke-width=${s.role === 'leader' ? 3.5 : 1.5}></circle>
    <text class="term" x=${c.x} y=${c.y + 1}>${dead ? (s.role === 'down' ? '✕' : '❚❚') : s.term}</text>
    ${s.role === 'candidate' ? candidateVotes(s, c, r, peers) : nothing}
    ${t?.state === 'paused' ? svg`<text class="small" x=${c.x + r + 9} y=${c.y - r - 2}>❚❚</text>` : nothing}
    ${serverWords(s, vote, label)}
  </g>`;
}

/** Name, role and vote, outside the ring (three lines, stacked away from the centre). */
function serverWords(
  s: ServerScene,
  vote: string,
  l: { x: number; y: number; anchor: 'start' | 'middle' | 'end'; up: boolean },
): SVGTemplateResult {
  const lines = [
    svg`<tspan class="name">${s.name}</tspan>`,
    svg`<tspan class="role ${s.role}">${ROLE_WORD[s.role]}</tspan>`,
    ...(vote ? [svg`<tspan class="vote">${vote}</tspan>`] : []),
  ];
  const step = 11.5;
  // Above: the last line sits at the anchor; below: the first does; beside: centred on it.
  const first = l.up
    ? l.y - (lines.length - 1) * step
    : l.anchor === 'middle'
      ? l.y
      : l.y + 4 - ((lines.length - 1) * step) / 2;
  return svg`<text class="words ${l.anchor}">${lines.map(
    (t, i) => svg`<tspan x=${l.x} y=${first + i * step}>${t}</tspan>`,
  )}</text>`;
}

/** Inside a candidate, a dot towards each peer: filled = granted, ring = not yet, cross = refused (as RaftScope). */
function candidateVotes(
  s: ServerScene,
  c: Point,
  r: number,
  peers: { id: string; at: Point }[],
): SVGTemplateResult {
  return svg`${peers.map(({ id, at }) => {
    const d = Math.hypot(at.x - c.x, at.y - c.y) || 1;
    const p = { x: c.x + ((at.x - c.x) / d) * r * 0.62, y: c.y + ((at.y - c.y) / d) * r * 0.62 };
    const v = s.votes[id];
    return v === false
      ? svg`<path d="M ${p.x - 3} ${p.y - 3} L ${p.x + 3} ${p.y + 3} M ${p.x + 3} ${p.y - 3} L ${p.x - 3} ${p.y + 3}" stroke="var(--text)" stroke-width="1.5"></path>`
      : svg`<circle cx=${p.x} cy=${p.y} r="3.5" fill=${v ? 'var(--text)' : 'none'} stroke="var(--text)" stroke-width="1.2"></circle>`;
  })}`;
}
