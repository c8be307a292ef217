import { describe, expect, it } from 'vitest';
import type { RpcEvent } from '../../server/contract/node-events.ts';
import { labelOf, laneLayout, layoutTimeline, MessagePairer, pairMessages } from './timeline-layout.ts';

let seq = 0;
type Fields = Pick<RpcEvent, 'rpc' | 'kind' | 'id' | 'from' | 'to' | 'term'> & Partial<RpcEvent>;
function rpc(at: number, dir: 'send' | 'recv', fields: Fields): RpcEvent {
  seq += 1;
  const node = dir === 'send' ? fields.from : fields.to;
  return { seq, at, node_id: node, type: 'rpc', dir, entries: 0, heartbeat: false, result: null, ...fields };
}

const vote = {
  rpc: 'request_vote' as const,
  kind: 'request' as const,
  id: 'v1',
  from: '1',
  to: '2',
  term: 4,
};
const lanes = laneLayout(['1', '2', '3'], 100, 10);

describe('message timeline layout', () => {
  it('puts lanes evenly from top to bottom in node order', () => {
    expect([...lanes.entries()]).toEqual([
      ['1', 10],
      ['2', 50],
      ['3', 90],
    ]);
  });

  it("pairs a send with its receive and draws it from the sender's lane to the receiver's", () => {
    const msgs = pairMessages([rpc(9_000, 'send', vote), rpc(9_500, 'recv', vote)]);
    expect(msgs).toHaveLength(1);
    const [s] = layoutTimeline(msgs, {
      now: 10_000,
      windowMs: 10_000,
      width: 1000,
      laneY: lanes,
      hideHeartbeats: false,
    });
    expect(s).toMatchObject({
      x1: 900,
      y1: 10,
      x2: 950,
      y2: 50,
      rpc: 'request_vote',
      lost: false,
      label: 'RV t4',
    });
  });

  it('tells a request from its response even when they share an id', () => {
    const resp = { ...vote, kind: 'response' as const, from: '2', to: '1', result: true };
    const msgs = pairMessages([
      rpc(1, 'send', vote),
      rpc(2, 'recv', vote),
      rpc(3, 'send', resp),
      rpc(4, 'recv', resp),
    ]);
    expect(msgs.map((m) => [m.kind, m.from, m.to, m.sentAt, m.recvAt])).toEqual([
      ['request', '1', '2', 1, 2],
      ['response', '2', '1', 3, 4],
    ]);
    expect(labelOf(msgs[1])).toBe('vote ✓');
  });

  it('marks empty append_entries and their responses as heartbeats, and hides them on request', () => {
    const hb = {
      rpc: 'append_entries' as const,
      kind: 'request' as const,
      id: 'a9',
      from: '1',
      to: '3',
      term: 2,
      entries: 0,
    };
    const ack = { ...hb, kind: 'response' as const, from: '3', to: '1', entries: undefined, result: true };
    const ae = { ...hb, id: 'a10', entries: 2 };
    const msgs = pairMessages([
      rpc(100, 'send', hb),
      rpc(101, 'recv', hb),
      rpc(102, 'send', ack),
      rpc(103, 'recv', ack),
      rpc(200, 'send', ae),
      rpc(201, 'recv', ae),
    ]);
    expect(msgs.filter((m) => m.heartbeat)).toHaveLength(2);
    const opts = { now: 1000, windowMs: 1000, width: 100, laneY: lanes, hideHeartbeats: true };
    const shown = layoutTimeline(msgs, opts);
    expect(shown.map((s) => s.label)).toEqual(['AE t2 +2']);
    expect(layoutTimeline(msgs, { ...opts, hideHeartbeats: false })).toHaveLength(3);
  });

  it('draws a message that never arrived as lost, halfway to its receiver', () => {
    const msgs = pairMessages([rpc(1000, 'send', vote)]);
    const opts = {
      now: 1500,
      windowMs: 2000,
      width: 200,
      laneY: lanes,
      hideHeartbeats: false,
      lostAfterMs: 1000,
    };
    expect(layoutTimeline(msgs, opts)).toEqual([]); // still in flight
    const [s] = layoutTimeline(msgs, { ...opts, now: 2500 });
    expect(s.lost).toBe(true);
    expect(s.y2).toBe(30);
  });

  it('leaves out messages older than the window and nodes without a lane', () => {
    const old = pairMessages([rpc(100, 'send', vote), rpc(101, 'recv', vote)]);
    expect(
      layoutTimeline(old, { now: 20_000, windowMs: 10_000, width: 100, laneY: lanes, hideHeartbeats: false }),
    ).toEqual([]);
    const stranger = pairMessages([
      rpc(19_000, 'send', { ...vote, to: '9' }),
      rpc(19_001, 'recv', { ...vote, to: '9' }),
    ]);
    expect(
      layoutTimeline(stranger, {
        now: 20_000,
        windowMs: 10_000,
        width: 100,
        laneY: lanes,
        hideHeartbeats: false,
      }),
    ).toEqual([]);
  });

  it('pairs incrementally as events arrive and the list is trimmed, and forgets old messages', () => {
    const pairer = new MessagePairer();
    const events = [rpc(1_000, 'send', vote)];
    expect(pairer.update(events, 0).map((m) => m.recvAt)).toEqual([null]);
    events.push(rpc(1_010, 'recv', vote));
    events.shift(); // trimmed at the front, as LiveState does
    const second = { ...vote, id: 'v2', to: '3' };
    events.push(rpc(5_000, 'send', second), rpc(5_002, 'recv', second));
    expect(pairer.update(events, 0).map((m) => [m.to, m.sentAt, m.recvAt])).toEqual([
      ['2', 1_000, 1_010],
      ['3', 5_000, 5_002],
    ]);
    expect(pairer.update(events, 2_000).map((m) => m.to)).toEqual(['3']);
  });

  it('marks a heartbeat response even when it arrives before its request is seen', () => {
    const hb = {
      rpc: 'append_entries' as const,
      kind: 'request' as const,
      id: 'h1',
      from: '1',
      to: '2',
      term: 1,
      entries: 0,
    };
    const ack = {
      rpc: 'append_entries' as const,
      kind: 'response' as const,
      id: 'h1',
      from: '2',
      to: '1',
      term: 1,
      result: true,
    };
    const msgs = pairMessages([rpc(5, 'recv', ack), rpc(1, 'send', hb)]);
    expect(msgs.every((m) => m.heartbeat)).toBe(true);
  });

  it('does not pair a message of a restarted node, which numbers its RPCs anew, with an old one', () => {
    const msgs = pairMessages([
      rpc(1_000, 'send', vote),
      rpc(1_002, 'recv', vote),
      rpc(9_000, 'send', vote), // the same id after a reset
      rpc(9_003, 'recv', vote),
    ]);
    expect(msgs.map((m) => [m.sentAt, m.recvAt])).toEqual([
      [1_000, 1_002],
      [9_000, 9_003],
    ]);
    const late = pairMessages([rpc(1_000, 'send', vote), rpc(6_000, 'recv', vote)]);
    expect(late.map((m) => [m.sentAt, m.recvAt])).toEqual([
      [1_000, null],
      [null, 6_000],
    ]);
  });
});
