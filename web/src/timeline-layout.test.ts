// The Lamport-diagram layout of the message timeline (web/src/timeline-layout.ts).
import { describe, expect, it } from 'vitest';
import { HistoryStore } from './history/history-store.ts';
import { held, lost, received, replied, replyReceived, sent } from './history/test-events.ts';
import { laneLayout, layoutTimeline, segmentAt, type TimelineOptions } from './timeline-layout.ts';

const lanes = laneLayout(['1', '2', '3'], 120, 10);
const opts = (over: Partial<TimelineOptions> = {}): TimelineOptions => ({
  t0: 0,
  t1: 10_000,
  width: 1000,
  laneY: lanes,
  heartbeats: 'each',
  expanded: new Set(),
  now: 10_000,
  ...over,
});

function recordsOf(...events: Parameters<HistoryStore['addEvent']>[0][]) {
  const s = new HistoryStore();
  for (const e of events) s.addEvent(e);
  return s.messages;
}

describe('the timeline layout', () => {
  it('draws a message from A to B from A’s lane at send time to B’s lane at receive time', () => {
    const m = { id: '1.1', from: '1', to: '3', entries: 2 };
    const { segments } = layoutTimeline(recordsOf(sent(m, 1000), received(m, 1500)), opts());
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({
      x1: 100,
      y1: lanes.get('1'),
      x2: 150,
      y2: lanes.get('3'),
      lost: null,
      label: 'AE t1 +2',
    });
  });

  it('draws the reply from B’s lane back to A’s', () => {
    const m = { rpc: 'request_vote' as const, id: '2.1', from: '2', to: '1', term: 4 };
    const { segments } = layoutTimeline(
      recordsOf(sent(m, 1000), received(m, 1100), replied(m, 1200, false), replyReceived(m, 1300, false)),
      opts(),
    );
    const reply = segments.find((s) => s.kind === 'response')!;
    expect(reply).toMatchObject({ y1: lanes.get('1'), y2: lanes.get('2'), label: 'vote ✗' });
  });

  it('a lost message ends at its real receiver’s lane, with its reason', () => {
    const toPaused = { id: '3.1', from: '3', to: '1', entries: 1 };
    const { segments } = layoutTimeline(
      recordsOf(sent(toPaused, 1000), lost(toPaused, 2000, 'timed_out')),
      opts(),
    );
    expect(segments[0]).toMatchObject({ y1: lanes.get('3'), y2: lanes.get('1'), x2: 200, lost: 'timed_out' });
  });

  it('a held request is a stretch on its sender’s lane until it is delivered', () => {
    const m = { rpc: 'request_vote' as const, id: '2.5', from: '2', to: '3', term: 2 };
    const { held: waits, segments } = layoutTimeline(
      recordsOf(held(m, 1000), sent(m, 4000), received(m, 4001)),
      opts(),
    );
    expect(waits).toEqual([expect.objectContaining({ x1: 100, x2: 400, y: lanes.get('2') })]);
    expect(segments[0]).toMatchObject({ x1: 400, y2: lanes.get('3') });
  });

  it('sums heartbeats up into one counted line per pair, and draws them one by one when expanded', () => {
    const events = [];
    for (let i = 0; i < 20; i++) {
      const m = { id: `1.${i}`, from: '1', to: '2' };
      events.push(sent(m, 1000 + i * 50), received(m, 1001 + i * 50));
    }
    const records = recordsOf(...events);
    const summary = layoutTimeline(records, opts({ heartbeats: 'summary' }));
    expect(summary.segments).toHaveLength(0);
    expect(summary.runs).toHaveLength(1);
    expect(summary.runs[0]).toMatchObject({ kind: 'heartbeats', count: 20, from: '1', to: '2' });
    expect(summary.runs[0]!.label).toBe('♥ 20 heartbeats from node1');
    const open = layoutTimeline(
      records,
      opts({ heartbeats: 'summary', expanded: new Set([summary.runs[0]!.key]) }),
    );
    expect(open.segments).toHaveLength(20);
    expect(open.runs[0]!.expanded).toBe(true);
  });

  it('sums a retry storm (the same request lost again and again) into one line', () => {
    const events = [];
    for (let i = 0; i < 12; i++) {
      const m = { id: `3.${i}`, from: '3', to: '1', entries: 1 };
      events.push(sent(m, 1000 + i * 100), lost(m, 1001 + i * 100, 'peer_down'));
    }
    const { runs, segments } = layoutTimeline(recordsOf(...events), opts());
    expect(segments).toHaveLength(0);
    expect(runs).toEqual([expect.objectContaining({ kind: 'retries', count: 12, from: '3', to: '1' })]);
    expect(runs[0]!.label).toBe('✕ 12× append_entries from node3 (peer down)');
  });

  it('finds the segment under the pointer', () => {
    const m = { id: '1.1', from: '1', to: '3' };
    const { segments } = layoutTimeline(recordsOf(sent(m, 1000), received(m, 2000)), opts());
    const midY = (lanes.get('1')! + lanes.get('3')!) / 2;
    expect(segmentAt(segments, 150, midY)).toBe(segments[0]);
    expect(segmentAt(segments, 500, 0)).toBeNull();
  });
});
