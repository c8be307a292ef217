// Paints a laid-out message timeline on a canvas (the layout is timeline-layout.ts, pure):
// lanes and names, held stretches, summed-up runs with their counts, messages (request solid,
// reply dashed, request_vote dash-dotted), lost ones ending in ✕ on their receiver's lane,
// leader and candidate marks, the time-travel cursor and the focused message.
import type { ClusterNode } from '../../../server/contract/cluster-view.ts';
import type { StateChange } from '../history/history-store.ts';
import type { MessageRecord } from '../history/message-record.ts';
import type { Run, Segment, TimelineLayout } from '../timeline-layout.ts';
import type { CanvasPalette } from './canvas-palette.ts';

export interface TimelinePaint {
  layout: TimelineLayout;
  lanes: Map<string, number>;
  nodes: ClusterNode[];
  gutter: number;
  height: number;
  window: { t0: number; t1: number };
  changes: { id: string; changes: readonly StateChange[] }[];
  cursor: number | null;
  highlightNode: string | null;
  highlightMessage: string | null;
  focus: MessageRecord | null;
  /** A shift-drag selection in progress: from x to x (canvas pixels). */
  selecting: [number, number] | null;
  palette: CanvasPalette;
}

export function drawTimeline(canvas: HTMLCanvasElement, p: TimelinePaint): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = p.height;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const c = p.palette;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px ui-monospace, monospace';
  ctx.textBaseline = 'middle';
  const plotW = w - p.gutter;
  const span = p.window.t1 - p.window.t0;
  const x = (t: number) => ((t - p.window.t0) / span) * plotW;

  for (const n of p.nodes) {
    const y = p.lanes.get(n.id)!;
    const hi = p.highlightNode === n.id;
    ctx.fillStyle = hi ? c.focus : c.text;
    ctx.font = hi ? 'bold 11px ui-monospace, monospace' : '11px ui-monospace, monospace';
    ctx.fillText(n.name, 4, y);
    ctx.strokeStyle = hi ? c.focus : c.border;
    ctx.lineWidth = hi ? 3 : 1;
    ctx.beginPath();
    ctx.moveTo(p.gutter, y);
    ctx.lineTo(w, y);
    ctx.stroke();
  }
  ctx.font = '11px ui-monospace, monospace';

  ctx.save();
  ctx.translate(p.gutter, 0);
  ctx.beginPath();
  ctx.rect(0, 0, plotW, h);
  ctx.clip();
  drawTicks(ctx, p, plotW, x);
  for (const s of p.layout.held) {
    ctx.strokeStyle = s.record.rpc === 'request_vote' ? c.rv : s.record.heartbeat ? c.hb : c.ae;
    ctx.lineWidth = 3;
    ctx.setLineDash([1, 3]);
    ctx.beginPath();
    ctx.moveTo(s.x1, s.y + 4);
    ctx.lineTo(s.x2, s.y + 4);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  for (const r of p.layout.runs) drawRun(ctx, r, c);
  // Heartbeats first, so elections and replication lie on top of them.
  const segments = [...p.layout.segments].sort((a, b) => Number(b.heartbeat) - Number(a.heartbeat));
  const lastLabelX = new Map<number, number>();
  for (const s of segments)
    drawSegment(ctx, s, c, lastLabelX, p.highlightMessage === s.record.id || p.focus === s.record);
  drawChanges(ctx, p, x, plotW);
  if (p.cursor !== null) {
    ctx.strokeStyle = c.warn;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x(p.cursor), 0);
    ctx.lineTo(x(p.cursor), h);
    ctx.stroke();
  }
  ctx.restore();
  if (p.selecting) {
    const [a, b] = p.selecting;
    ctx.fillStyle = `${c.focus}33`;
    ctx.fillRect(Math.min(a, b), 0, Math.abs(b - a), h);
  }
  if (p.layout.segments.length === 0 && p.layout.runs.length === 0) {
    ctx.fillStyle = c.muted;
    // A held network sends nothing: say so, or the dotted stretches look like a broken view.
    const why = p.layout.held.length > 0 ? ' — held (⋯ = waiting in an outbox)' : '.';
    ctx.fillText(`Nothing sent in these ${(span / 1000).toFixed(1)} s${why}`, p.gutter + 8, 8);
  }
}

/** Second marks along the bottom, so a 1 s window reads in milliseconds. */
function drawTicks(
  ctx: CanvasRenderingContext2D,
  p: TimelinePaint,
  plotW: number,
  x: (t: number) => number,
): void {
  const span = p.window.t1 - p.window.t0;
  const step = span <= 2000 ? 100 : span <= 10_000 ? 1000 : span <= 30_000 ? 5000 : 10_000;
  ctx.fillStyle = p.palette.muted;
  ctx.strokeStyle = p.palette.border;
  ctx.lineWidth = 1;
  ctx.font = '9px ui-monospace, monospace';
  for (let t = Math.ceil(p.window.t0 / step) * step; t <= p.window.t1; t += step) {
    const tx = x(t);
    ctx.beginPath();
    ctx.moveTo(tx, p.height - 4);
    ctx.lineTo(tx, p.height);
    ctx.stroke();
    const d = new Date(t);
    const label =
      step < 1000
        ? `.${String(d.getMilliseconds()).padStart(3, '0')}`
        : `:${String(d.getSeconds()).padStart(2, '0')}`;
    if (tx < plotW - 20) ctx.fillText(label, tx + 2, p.height - 7);
  }
  ctx.font = '11px ui-monospace, monospace';
}

/** Where a run's band lies: just above its receiver's lane. */
export function runBandY(r: Run): number {
  return r.yTo - 5;
}

function drawRun(ctx: CanvasRenderingContext2D, r: Run, c: CanvasPalette): void {
  const colour = r.kind === 'heartbeats' ? c.hb : c.bad;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.globalAlpha = r.expanded ? 0.35 : 1;
  // The first and the last of the run as lines, and a band between them with the count.
  ctx.lineWidth = 1;
  for (const rx of [r.x1, r.x2]) {
    ctx.beginPath();
    ctx.moveTo(rx, r.yFrom);
    ctx.lineTo(rx + 2, r.yTo);
    ctx.stroke();
  }
  // On the receiver's lane, just above it: each follower's lane says what reached it.
  const y = runBandY(r);
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.moveTo(r.x1, y);
  ctx.lineTo(Math.max(r.x2, r.x1 + 4), y);
  ctx.stroke();
  ctx.globalAlpha = 1;
  if (!r.expanded) {
    ctx.fillStyle = c.text;
    ctx.fillText(r.label, Math.max(2, r.x1) + 3, y - 8);
  }
}

function drawSegment(
  ctx: CanvasRenderingContext2D,
  s: Segment,
  c: CanvasPalette,
  lastLabelX: Map<number, number>,
  focused: boolean,
): void {
  const colour = s.heartbeat ? c.hb : s.rpc === 'request_vote' ? c.rv : c.ae;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = focused ? 3.5 : s.heartbeat ? 1 : 2;
  // Kind by dash, not colour: request_vote dash-dot, replies dashed, in flight dotted.
  ctx.setLineDash(
    s.inFlight ? [1, 3] : s.kind === 'response' ? [3, 3] : s.rpc === 'request_vote' ? [8, 3, 2, 3] : [],
  );
  ctx.beginPath();
  ctx.moveTo(s.x1, s.y1);
  ctx.lineTo(s.x2, s.y2);
  ctx.stroke();
  ctx.setLineDash([]);
  if (focused) {
    ctx.strokeStyle = c.focus;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(s.x1, s.y1, 7, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (s.lost) {
    ctx.strokeStyle = c.bad;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(s.x2 - 4, s.y2 - 4);
    ctx.lineTo(s.x2 + 4, s.y2 + 4);
    ctx.moveTo(s.x2 + 4, s.y2 - 4);
    ctx.lineTo(s.x2 - 4, s.y2 + 4);
    ctx.stroke();
  } else if (!s.heartbeat && !s.inFlight) {
    // Arrowhead at the receiver, so direction reads without colour.
    const a = Math.atan2(s.y2 - s.y1, s.x2 - s.x1);
    ctx.beginPath();
    ctx.moveTo(s.x2, s.y2);
    ctx.lineTo(s.x2 - 7 * Math.cos(a - 0.4), s.y2 - 7 * Math.sin(a - 0.4));
    ctx.lineTo(s.x2 - 7 * Math.cos(a + 0.4), s.y2 - 7 * Math.sin(a + 0.4));
    ctx.fill();
  }
  if (!s.heartbeat && s.kind === 'request') {
    const prev = lastLabelX.get(s.y1) ?? -Infinity;
    if (s.x1 - prev > 50) {
      ctx.fillStyle = c.text;
      ctx.fillText(
        s.label,
        s.x1 + 3,
        Math.min(Math.max(s.y1 + (s.y2 > s.y1 ? -7 : 7), 7), ctx.canvas.clientHeight - 12),
      );
      lastLabelX.set(s.y1, s.x1);
    }
  }
}

function drawChanges(
  ctx: CanvasRenderingContext2D,
  p: TimelinePaint,
  x: (t: number) => number,
  plotW: number,
): void {
  ctx.font = 'bold 12px ui-monospace, monospace';
  for (const { id, changes } of p.changes) {
    const y = p.lanes.get(id);
    if (y === undefined) continue;
    for (const e of changes) {
      if (e.type !== 'state' || e.at < p.window.t0 || e.at > p.window.t1) continue;
      if (e.state === 'follower') continue;
      ctx.fillStyle = e.state === 'leader' ? p.palette.leader : p.palette.candidate;
      // A pre-candidate (§9.6) has not raised its term: a hollow mark, "pre".
      ctx.fillText(
        `${e.state === 'leader' ? '★' : e.state === 'candidate' ? '◆' : '◇pre '}t${e.term}`,
        Math.min(x(e.at), plotW - 34) - 5,
        Math.max(8, y - 9),
      );
    }
  }
  ctx.font = '11px ui-monospace, monospace';
}
