// Where the ring picture puts servers and messages (web/src/history/ring-layout.ts).
import { describe, expect, it } from 'vitest';
import { alongLink, arcPath, heldSlot, LANE_OFFSET, ringLayout } from './ring-layout.ts';

describe('the ring layout', () => {
  it('puts the first server at the top and the others clockwise, evenly', () => {
    const r = ringLayout(['1', '2', '3', '4', '5'], 400, 300);
    const one = r.at.get('1')!;
    expect(one.x).toBeCloseTo(200, 5);
    expect(one.y).toBeLessThan(150);
    expect(r.at.get('2')!.x).toBeGreaterThan(200);
    const d = (a: string, b: string) =>
      Math.hypot(r.at.get(a)!.x - r.at.get(b)!.x, r.at.get(a)!.y - r.at.get(b)!.y);
    expect(d('1', '2')).toBeCloseTo(d('2', '3'), 5);
  });

  it('a message goes from the edge of its sender to the edge of its receiver, on its own lane', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 200, y: 0 };
    expect(alongLink(a, b, 0, 20)).toEqual({ x: 20, y: LANE_OFFSET });
    expect(alongLink(a, b, 1, 20)).toEqual({ x: 180, y: LANE_OFFSET });
    // The reply, going back, uses the other side of the line.
    expect(alongLink(b, a, 0.5, 20).y).toBe(-LANE_OFFSET);
  });

  it('held requests queue up at the sender towards their receiver, oldest nearest', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 0, y: 200 };
    const first = heldSlot(a, b, 0, 20);
    const second = heldSlot(a, b, 1, 20);
    expect(first.y).toBeGreaterThan(20);
    expect(second.y).toBeGreaterThan(first.y);
  });

  it('the timer arc covers its fraction of a turn, clockwise from the top', () => {
    expect(arcPath({ x: 0, y: 0 }, 10, 0)).toBe('');
    expect(arcPath({ x: 0, y: 0 }, 10, 0.25)).toBe('M 0.0 -10.0 A 10 10 0 0 1 10.0 -0.0');
    expect(arcPath({ x: 0, y: 0 }, 10, 0.75)).toContain(' 0 1 1 ');
    // A full timer (just reset) is a whole circle, not an arc whose ends coincide (which SVG skips).
    expect(arcPath({ x: 0, y: 0 }, 10, 1)).toBe('M 0.0 -10.0 A 10 10 0 1 1 0.0 10.0 A 10 10 0 1 1 0.0 -10.0');
    expect(arcPath({ x: 0, y: 0 }, 10, 0.9999)).toContain('A 10 10 0 1 1 0.0 10.0');
  });
});
