// Where things are in the ring picture (as RaftScope draws a cluster): servers evenly on a
// circle, the first at the top, clockwise; a message travels the straight link from the edge of
// its sender to the edge of its receiver, each direction on its own side of the line (like two
// lanes of a road), so a request and the reply coming back never sit on each other; requests
// held in an outbox queue up at the sender, on the side of their link. Pure.

export interface Point {
  x: number;
  y: number;
}

export interface Ring {
  width: number;
  height: number;
  centre: Point;
  radius: number;
  /** A server's circle radius. */
  serverR: number;
  /** Server id → centre. */
  at: Map<string, Point>;
}

/** How far each direction's lane sits from the link's centre line. */
export const LANE_OFFSET = 5;
/** Distance between two held requests in an outbox queue. */
export const HELD_SPACING = 9;

/** Room a server's words take beside it (left and right) and above or below it. */
const LABEL_W = 80;
const LABEL_H = 52;

export function ringLayout(ids: readonly string[], width: number, height: number): Ring {
  const serverR = Math.max(14, Math.min(26, Math.min(width, height) / 11));
  // Room for the words outside each server (labels sit away from the centre).
  const radius = Math.max(20, Math.min(width / 2 - serverR - LABEL_W, height / 2 - serverR - LABEL_H));
  const centre = { x: width / 2, y: height / 2 };
  const at = new Map<string, Point>();
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, ids.length);
    at.set(id, { x: centre.x + radius * Math.cos(a), y: centre.y + radius * Math.sin(a) });
  });
  return { width, height, centre, radius, serverR, at };
}

/**
 * Where a server's words go: outside the ring, away from the centre, so that queues and
 * messages (which stay inside) never cross them. `up`: the lines stack upwards from (x, y).
 */
export function labelAt(
  ring: Ring,
  p: Point,
): { x: number; y: number; anchor: 'start' | 'middle' | 'end'; up: boolean } {
  const { ux, uy } = unit(ring.centre, p);
  // Clear of the timer arc (r + 7) and of the heartbeat pulse.
  const gap = ring.serverR + 12;
  if (uy < -0.6) return { x: p.x, y: p.y - gap, anchor: 'middle', up: true };
  if (uy > 0.6) return { x: p.x, y: p.y + gap + 6, anchor: 'middle', up: false };
  return { x: p.x + (ux > 0 ? gap : -gap), y: p.y, anchor: ux > 0 ? 'start' : 'end', up: false };
}

function unit(a: Point, b: Point): { ux: number; uy: number; len: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  return { ux: dx / len, uy: dy / len, len };
}

/**
 * The point `progress` of the way from the edge of `a` to the edge of `b` (0 = leaving `a`,
 * 1 = arriving at `b`), on the right-hand lane of the direction a→b.
 */
export function alongLink(a: Point, b: Point, progress: number, serverR: number): Point {
  const { ux, uy, len } = unit(a, b);
  const travel = Math.max(0, len - 2 * serverR);
  const d = serverR + Math.min(1, Math.max(0, progress)) * travel;
  // Right-hand side of the direction of travel (screen y grows downwards).
  return { x: a.x + ux * d - uy * LANE_OFFSET, y: a.y + uy * d + ux * LANE_OFFSET };
}

/** The point `d` from `c` towards `to` (a candidate's vote dot for a peer). */
export function arcPoint(c: Point, to: Point, d: number): Point {
  const { ux, uy } = unit(c, to);
  return { x: c.x + ux * d, y: c.y + uy * d };
}

/** The `index`-th request (0 = oldest) waiting in `a`'s outbox for `b`: queued from `a`'s edge towards `b`. */
export function heldSlot(a: Point, b: Point, index: number, serverR: number): Point {
  const { ux, uy } = unit(a, b);
  const d = serverR + 8 + index * HELD_SPACING;
  return { x: a.x + ux * d - uy * (LANE_OFFSET + 3), y: a.y + uy * d + ux * (LANE_OFFSET + 3) };
}

/** How many held requests are drawn one by one before the rest are counted ("+12"). */
export function heldShown(a: Point, b: Point, serverR: number): number {
  const { len } = unit(a, b);
  return Math.max(1, Math.floor((len / 2 - serverR - 8) / HELD_SPACING));
}

/** An SVG arc path around a server: `fraction` of a full turn, clockwise from the top. */
export function arcPath(c: Point, r: number, fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  if (f <= 0) return '';
  const top = `M ${c.x.toFixed(1)} ${(c.y - r).toFixed(1)}`;
  // A whole turn is two halves: an arc whose ends coincide is not drawn at all (SVG).
  if (f > 0.995)
    return `${top} A ${r} ${r} 0 1 1 ${c.x.toFixed(1)} ${(c.y + r).toFixed(1)} A ${r} ${r} 0 1 1 ${c.x.toFixed(1)} ${(c.y - r).toFixed(1)}`;
  const end = { x: c.x + r * Math.sin(2 * Math.PI * f), y: c.y - r * Math.cos(2 * Math.PI * f) };
  const large = f > 0.5 ? 1 : 0;
  return `${top} A ${r} ${r} 0 ${large} 1 ${end.x.toFixed(1)} ${end.y.toFixed(1)}`;
}
