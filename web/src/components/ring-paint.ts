// Paints the ring picture on a canvas (as RaftScope draws a cluster), and says what is under the
// pointer. A server: its circle in the colour of its term with the term inside, the election
// timer as an arc around it (dashed when stopped, red when nearly out), a candidate's votes as
// dots inside, a leader's heartbeat as a ring pulsing out, its words outside the ring. A message:
// request_vote a diamond, append_entries a circle sized by its entries, a heartbeat a small dot;
// a request filled, a reply hollow with ✓ or ✗ — so neither needs colour. A canvas, because the
// picture changes every frame and an SVG of the same was repainted whole each time.

import type { RpcName } from '../../../server/contract/raft-rpc.ts';
import {
  alongLink,
  arcPoint,
  heldShown,
  heldSlot,
  labelAt,
  type Point,
  type Ring,
} from '../history/ring-layout.ts';
import type { HeldScene, Scene, ServerScene } from '../history/scene.ts';
import { reasonText } from '../timeline-layout.ts';
import type { CanvasPalette } from './canvas-palette.ts';
import { termSlot } from './log-strip.ts';

export interface RingPaint {
  scene: Scene;
  ring: Ring;
  /** Heartbeats summed up: drawn small and faint, their replies not at all. */
  quiet: boolean;
  highlightNode: string | null;
  highlightMessage: string | null;
  /** The key of what the learner clicked (a server id, a held id, a flying key). */
  selected: string | null;
  /** A line at the top left: "❚❚ paused · 12:03:04.250". */
  banner: string | null;
  palette: CanvasPalette;
  /** performance.now(), for the pulse of a highlight. */
  now: number;
}

export interface MessageLook {
  rpc: RpcName;
  kind: 'request' | 'response';
  heartbeat: boolean;
  entries: number;
  result: boolean | null;
}

const ROLE_WORD: Record<ServerScene['role'], string> = {
  leader: '★ LEADER',
  pre_candidate: 'pre-candidate',
  candidate: 'CANDIDATE',
  follower: 'follower',
  down: 'DOWN',
  paused: 'FROZEN',
  unknown: 'no answer',
};

/** A message's radius: heartbeats are small, appends grow with their entries. */
export function messageRadius(m: Pick<MessageLook, 'heartbeat' | 'entries'>, quiet = false): number {
  if (m.heartbeat) return quiet ? 2.5 : 3.5;
  return 5 + Math.min(5, 1.6 * Math.log2(1 + m.entries));
}

/** Each outbox's requests queued at its sender, per receiver: where each is, and how many are not drawn. */
export function heldLayout(held: readonly HeldScene[], ring: Ring): { h: HeldScene; p: Point }[] {
  const byLink = new Map<string, HeldScene[]>();
  for (const h of held) byLink.set(`${h.from}|${h.to}`, [...(byLink.get(`${h.from}|${h.to}`) ?? []), h]);
  const out: { h: HeldScene; p: Point }[] = [];
  for (const queue of byLink.values()) {
    const a = ring.at.get(queue[0]!.from);
    const b = ring.at.get(queue[0]!.to);
    if (!a || !b) continue;
    const shown = heldShown(a, b, ring.serverR);
    queue.slice(0, shown).forEach((h, i) => {
      out.push({ h, p: heldSlot(a, b, i, ring.serverR) });
    });
  }
  return out;
}

/** What is under (x, y): a held request first (they are small), then a message in flight, then a server. */
export type RingHit =
  | { kind: 'server'; id: string }
  | { kind: 'held'; id: string; from: string }
  | { kind: 'flying'; key: string };

export function hitTest(scene: Scene, ring: Ring, quiet: boolean, x: number, y: number): RingHit | null {
  const near = (p: Point, r: number) => Math.hypot(p.x - x, p.y - y) <= r;
  for (const { h, p } of heldLayout(scene.held, ring))
    if (near(p, 7)) return { kind: 'held', id: h.id, from: h.from };
  for (const f of visibleFlying(scene, quiet)) {
    const a = ring.at.get(f.from);
    const b = ring.at.get(f.to);
    if (a && b && near(alongLink(a, b, f.progress, ring.serverR), messageRadius(f, quiet) + 4))
      return { kind: 'flying', key: f.key };
  }
  for (const s of scene.servers) {
    const c = ring.at.get(s.id);
    if (c && near(c, ring.serverR + 7)) return { kind: 'server', id: s.id };
  }
  return null;
}

function visibleFlying(scene: Scene, quiet: boolean) {
  return quiet ? scene.flying.filter((f) => !(f.heartbeat && f.kind === 'response')) : scene.flying;
}

/**
 * What the still part of the picture depends on (links, servers, words): it is painted once
 * into its own canvas and copied each frame, so a frame paints only what moves.
 */
export function stillKey(p: RingPaint): string {
  return JSON.stringify([
    p.ring.width,
    p.ring.height,
    p.palette.text,
    p.selected,
    p.scene.servers.map((s) => [
      s.id,
      s.role,
      s.term,
      s.votedFor,
      s.votes,
      s.timer?.state,
      s.view?.partitionedFrom,
    ]),
  ]);
}

/** What a frame's moving part depends on: a frame that would look the same is not painted. */
export function movingKey(p: RingPaint): string {
  const s = p.scene;
  const hi = p.highlightNode !== null || p.highlightMessage !== null;
  return JSON.stringify([
    hi ? Math.round(p.now / 50) : 0,
    p.banner,
    p.selected,
    p.quiet,
    s.servers.map((x) => [
      x.timer && Math.round(x.timer.fraction * 400),
      x.heartbeatAgoMs !== null && x.heartbeatAgoMs < 250 ? Math.round(x.heartbeatAgoMs / 16) : -1,
    ]),
    s.flying.map((f) => [f.key, Math.round(f.progress * 200)]),
    s.held.length,
    s.held[0]?.key,
    s.lost.map((l) => [l.key, l.count, Math.round(l.freshness * 20)]),
  ]);
}

/** Links, servers and their words: what changes only when a role, term, vote or cut does. */
export function paintStill(ctx: CanvasRenderingContext2D, p: RingPaint): void {
  const { scene, ring, palette: c } = p;
  const at = (id: string) => ring.at.get(id);
  ctx.clearRect(0, 0, ring.width, ring.height);
  ctx.lineCap = 'round';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  // Links; a cut one dashed red.
  const cut = new Set(
    scene.servers.flatMap((s) => (s.view?.partitionedFrom ?? []).map((q) => [s.id, q].sort().join('|'))),
  );
  const ids = scene.servers.map((s) => s.id);
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = at(ids[i]!);
      const b = at(ids[j]!);
      if (!a || !b) continue;
      const isCut = cut.has([ids[i], ids[j]].sort().join('|'));
      ctx.strokeStyle = isCut ? c.bad : c.border;
      ctx.lineWidth = isCut ? 1.5 : 1;
      ctx.setLineDash(isCut ? [5, 4] : []);
      line(ctx, a, b);
    }
  }
  ctx.setLineDash([]);
  for (const s of scene.servers) {
    const centre = at(s.id);
    if (centre) paintServer(ctx, p, s, centre);
  }
}

/** Timers, heartbeats, highlights, held requests, messages in flight, lost marks, the banner. */
export function paintMoving(ctx: CanvasRenderingContext2D, p: RingPaint): void {
  const { scene, ring, palette: c } = p;
  const at = (id: string) => ring.at.get(id);
  ctx.lineCap = 'round';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const s of scene.servers) {
    const centre = at(s.id);
    if (centre) paintServerMoving(ctx, p, s, centre);
  }

  // Held requests, queued at their senders.
  const held = heldLayout(scene.held, ring);
  for (const { h, p: q } of held) {
    if (p.highlightMessage === h.id) halo(ctx, q, 10, p);
    paintMessage(ctx, { ...h, kind: 'request', result: null }, q, c, false, p.selected === h.id, true);
  }
  const counts = new Map<string, number>();
  for (const h of scene.held) counts.set(`${h.from}|${h.to}`, (counts.get(`${h.from}|${h.to}`) ?? 0) + 1);
  for (const [key, n] of counts) {
    const [from, to] = key.split('|') as [string, string];
    const a = at(from);
    const b = at(to);
    if (!a || !b) continue;
    const shown = heldShown(a, b, ring.serverR);
    if (n > shown) {
      const q = heldSlot(a, b, shown, ring.serverR);
      text(ctx, `+${n - shown}`, q.x, q.y, '9.5px', c.muted);
    }
  }

  for (const f of visibleFlying(scene, p.quiet)) {
    const a = at(f.from);
    const b = at(f.to);
    if (!a || !b) continue;
    const q = alongLink(a, b, f.progress, ring.serverR);
    if (p.highlightMessage === f.id) halo(ctx, q, 10, p);
    ctx.globalAlpha = p.quiet && f.heartbeat ? 0.55 : 1;
    paintMessage(ctx, f, q, c, p.quiet, p.selected === f.key, false);
    ctx.globalAlpha = 1;
  }

  for (const l of scene.lost) {
    const a = at(l.from);
    const b = at(l.to);
    if (!a || !b) continue;
    const q = alongLink(a, b, l.progress, ring.serverR);
    ctx.globalAlpha = 0.35 + 0.65 * l.freshness;
    ctx.strokeStyle = c.bad;
    ctx.lineWidth = 2.5;
    cross(ctx, q, 5);
    if (l.count > 1) {
      ctx.textAlign = 'left';
      text(ctx, `${l.count}×`, q.x + 7, q.y - 6, 'bold 9.5px', c.bad);
      ctx.textAlign = 'center';
    }
    ctx.globalAlpha = 1;
  }

  if (p.banner) {
    ctx.textAlign = 'left';
    text(ctx, p.banner, 8, 12, 'bold 12px', c.warn);
  }
}

/** A server's still part: its circle in its term's colour, the term, a candidate's votes, its words. */
function paintServer(ctx: CanvasRenderingContext2D, p: RingPaint, s: ServerScene, c: Point): void {
  const pal = p.palette;
  const r = p.ring.serverR;
  const dead = s.role === 'down' || s.role === 'paused' || s.role === 'unknown';
  circle(ctx, c, r);
  ctx.fillStyle = dead ? pal.terms[0]! : pal.terms[termSlot(s.term)]!;
  ctx.fill();
  ctx.strokeStyle = p.selected === s.id ? pal.focus : s.role === 'leader' ? pal.text : pal.border;
  ctx.lineWidth = s.role === 'leader' ? 3.5 : p.selected === s.id ? 3 : 1.5;
  ctx.stroke();
  text(
    ctx,
    dead ? (s.role === 'down' ? '✕' : '❚❚') : String(s.term),
    c.x,
    c.y + 1,
    'bold 17px',
    pal.termText,
    true,
  );
  if (s.role === 'candidate') paintVotes(ctx, p, s, c, r);
  if (s.timer?.state === 'paused') text(ctx, '❚❚', c.x + r + 9, c.y - r - 2, '9px', pal.muted);
  paintWords(ctx, p, s, c);
}

/** A server's moving part: a lesson's highlight, a leader's heartbeat pulse, the election timer. */
function paintServerMoving(ctx: CanvasRenderingContext2D, p: RingPaint, s: ServerScene, c: Point): void {
  const pal = p.palette;
  const r = p.ring.serverR;
  if (p.highlightNode === s.id) halo(ctx, c, r + 11, p);
  if (s.heartbeatAgoMs !== null && s.heartbeatAgoMs < 250) {
    const k = s.heartbeatAgoMs / 250;
    ctx.globalAlpha = 1 - k;
    ctx.strokeStyle = pal.leader;
    ctx.lineWidth = 2;
    circle(ctx, c, r + 4 + k * 10);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
  const t = s.timer;
  if (t && t.fraction > 0) {
    ctx.strokeStyle = t.fraction < 0.2 ? pal.bad : pal.text;
    ctx.lineWidth = 4;
    ctx.lineCap = 'butt';
    ctx.setLineDash(t.state === 'paused' ? [4, 3] : []);
    ctx.beginPath();
    // Clockwise from the top, the part of the timeout still to run.
    ctx.arc(c.x, c.y, r + 5, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * t.fraction);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineCap = 'round';
  }
}

/** Inside a candidate, a dot towards each peer: filled = granted, ring = not yet, cross = refused (as RaftScope). */
function paintVotes(ctx: CanvasRenderingContext2D, p: RingPaint, s: ServerScene, c: Point, r: number): void {
  ctx.strokeStyle = p.palette.text;
  ctx.fillStyle = p.palette.text;
  ctx.lineWidth = 1.3;
  for (const peer of p.scene.servers) {
    if (peer.id === s.id) continue;
    const to = p.ring.at.get(peer.id);
    if (!to) continue;
    const q = arcPoint(c, to, r * 0.62);
    const v = s.votes[peer.id];
    if (v === false) cross(ctx, q, 3);
    else {
      circle(ctx, q, 3.5);
      if (v) ctx.fill();
      else ctx.stroke();
    }
  }
}

function paintWords(ctx: CanvasRenderingContext2D, p: RingPaint, s: ServerScene, c: Point): void {
  const l = labelAt(p.ring, c);
  const pal = p.palette;
  const dead = s.role === 'down' || s.role === 'paused' || s.role === 'unknown';
  const vote = s.role === 'leader' || dead ? '' : s.votedFor ? `voted node${s.votedFor}` : 'no vote yet';
  const lines: [string, string, string][] = [
    [s.name, 'bold 11px', pal.text],
    [
      ROLE_WORD[s.role],
      s.role === 'leader' || s.role === 'candidate' ? 'bold 10px' : '10px',
      s.role === 'leader'
        ? pal.leader
        : s.role === 'candidate' || s.role === 'pre_candidate'
          ? pal.candidate
          : s.role === 'down'
            ? pal.down
            : pal.text,
    ],
    ...(vote ? [[vote, '9.5px', pal.muted] as [string, string, string]] : []),
  ];
  const step = 11.5;
  // Above: the last line sits at the anchor; below: the first does; beside: centred on it.
  const first = l.up
    ? l.y - (lines.length - 1) * step
    : l.anchor === 'middle'
      ? l.y
      : l.y - ((lines.length - 1) * step) / 2;
  ctx.textAlign = l.anchor === 'start' ? 'left' : l.anchor === 'end' ? 'right' : 'center';
  lines.forEach(([t, font, colour], i) => {
    text(ctx, t, l.x, first + i * step, font, colour);
  });
  ctx.textAlign = 'center';
}

/** One message at `q`: its shape by type, filled for a request, hollow with ✓/✗ for a reply. */
function paintMessage(
  ctx: CanvasRenderingContext2D,
  m: MessageLook,
  q: Point,
  c: CanvasPalette,
  quiet: boolean,
  selected: boolean,
  held: boolean,
): void {
  const r = messageRadius(m, quiet);
  const votes = m.rpc === 'request_vote' || m.rpc === 'pre_vote';
  const colour = m.heartbeat ? c.hb : votes ? c.rv : c.ae;
  const request = m.kind === 'request';
  ctx.beginPath();
  if (m.rpc === 'request_vote') {
    const d = r * 1.25;
    ctx.moveTo(q.x, q.y - d);
    ctx.lineTo(q.x + d, q.y);
    ctx.lineTo(q.x, q.y + d);
    ctx.lineTo(q.x - d, q.y);
    ctx.closePath();
  } else if (m.rpc === 'pre_vote') {
    // Dissertation §9.6: the vote's "could I win?" rehearsal, a triangle in the vote's colour.
    const d = r * 1.3;
    ctx.moveTo(q.x, q.y - d);
    ctx.lineTo(q.x + d, q.y + d * 0.8);
    ctx.lineTo(q.x - d, q.y + d * 0.8);
    ctx.closePath();
  } else if (m.rpc === 'timeout_now') {
    // §3.10: a leader hands over; a square, so it reads apart from append_entries.
    ctx.rect(q.x - r, q.y - r, 2 * r, 2 * r);
  } else ctx.arc(q.x, q.y, r, 0, 2 * Math.PI);
  ctx.fillStyle = request ? colour : c.surface;
  ctx.fill();
  ctx.strokeStyle = selected ? c.focus : held ? c.text : colour;
  ctx.lineWidth = selected ? 3 : request ? 1 : 2;
  ctx.setLineDash(held && !selected ? [2, 1.5] : []);
  ctx.stroke();
  ctx.setLineDash([]);
  if (request || m.result === null || r < 4) return;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  if (m.result) {
    ctx.moveTo(q.x - r * 0.5, q.y);
    ctx.lineTo(q.x - r * 0.1, q.y + r * 0.45);
    ctx.lineTo(q.x + r * 0.55, q.y - r * 0.45);
    ctx.stroke();
  } else cross(ctx, q, r * 0.45);
}

/** A pulsing ring around what a lesson points at. */
function halo(ctx: CanvasRenderingContext2D, q: Point, r: number, p: RingPaint): void {
  ctx.globalAlpha = 0.6 + 0.4 * Math.sin(p.now / 190);
  ctx.strokeStyle = p.palette.focus;
  ctx.lineWidth = 3;
  circle(ctx, q, r);
  ctx.stroke();
  ctx.globalAlpha = 1;
}

function circle(ctx: CanvasRenderingContext2D, q: Point, r: number): void {
  ctx.beginPath();
  ctx.arc(q.x, q.y, r, 0, 2 * Math.PI);
}

function line(ctx: CanvasRenderingContext2D, a: Point, b: Point): void {
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.stroke();
}

function cross(ctx: CanvasRenderingContext2D, q: Point, d: number): void {
  ctx.beginPath();
  ctx.moveTo(q.x - d, q.y - d);
  ctx.lineTo(q.x + d, q.y + d);
  ctx.moveTo(q.x + d, q.y - d);
  ctx.lineTo(q.x - d, q.y + d);
  ctx.stroke();
}

function text(
  ctx: CanvasRenderingContext2D,
  t: string,
  x: number,
  y: number,
  font: string,
  colour: string,
  mono = false,
): void {
  ctx.font = `${font} ${mono ? 'ui-monospace, monospace' : 'system-ui, sans-serif'}`;
  ctx.fillStyle = colour;
  ctx.fillText(t, x, y);
}

/** "request_vote node3→node2 lost: dropped" — a lost mark in words. */
export function lostWords(l: Scene['lost'][number]): string {
  return `${l.count > 1 ? `${l.count}× ` : ''}${l.rpc} node${l.from}→node${l.to} lost: ${reasonText(l.reason)}`;
}
