// The lab's recording of a run (server/lab/history/): history checks count what the learner
// did, pages of a trace start with what still holds, a failed check finds the moment it stopped
// holding, and `deliver`/`drop` choose the held requests a lesson line means. Pure, no cluster.
import { describe, expect, it } from 'vitest';
import type { HeldOnNode } from '../../server/lab/cluster/network-control.ts';
import { pickHeld } from '../../server/lab/cluster/pick-held.ts';
import { addMoments } from '../../server/lab/history/check-moment.ts';
import { historyFact } from '../../server/lab/history/history-facts.ts';
import { RunRecorder } from '../../server/lab/history/recorder.ts';
import { evaluateCheckLines } from '../../server/lab/run/run-check-cell.ts';
import { parseCheckCell } from '../../server/lessons/parse-check-cell.ts';
import { held, lost, sampleAt, sent, state, timer } from '../../web/src/history/test-events.ts';

const rv = (id: string, from: string, to: string) => ({
  rpc: 'request_vote' as const,
  id,
  from,
  to,
  term: 3,
});
const nodes = [1, 2, 3].map((i) => ({
  id: String(i),
  name: `node${i}`,
  url: `http://127.0.0.1:${5000 + i}`,
}));

describe('history checks', () => {
  it('count the held requests the learner dropped and delivered', () => {
    const events = [
      held(rv('1.1', '1', '2'), 10),
      held(rv('1.2', '1', '3'), 10),
      sent(rv('1.1', '1', '2'), 20),
      lost(rv('1.2', '1', '3'), 30, 'dropped'),
      lost(rv('1.3', '1', '2'), 40, 'timed_out'),
    ];
    expect(historyFact({ kind: 'dropped', rpc: 'request_vote' }, events).value).toBe(1);
    expect(historyFact({ kind: 'dropped', rpc: 'heartbeat' }, events).value).toBe(0);
    expect(historyFact({ kind: 'delivered', rpc: 'any' }, events).value).toBe(1);
    expect(historyFact({ kind: 'dropped', rpc: 'request_vote' }, events).where).toContain('1.2 node1→node3');
  });

  it('find the most candidates in one term, and the terms that ended in a split vote', () => {
    const events = [
      state('1', 1, 'candidate', 2),
      state('1', 2, 'leader', 2, '1'),
      state('2', 3, 'candidate', 3),
      state('3', 3, 'candidate', 3),
      state('3', 9, 'candidate', 4),
      state('3', 10, 'leader', 4, '3'),
    ];
    expect(historyFact({ kind: 'max-candidates' }, events)).toEqual({
      value: 2,
      where: '2 candidate(s) in term 3',
    });
    expect(historyFact({ kind: 'split-votes' }, events)).toEqual({ value: 1, where: 'split vote in term 3' });
  });

  it('are checks: `dropped request_vote >= 1` holds only when one was dropped', () => {
    const cell = parseCheckCell('dropped request_vote >= 1\nmax candidates in a term >= 2');
    const snap = sampleAt(0, 3, '1', 2);
    const none = evaluateCheckLines(cell.lines, cell.hints, snap, {}, [], []);
    expect(none.map((a) => a.ok)).toEqual([false, false]);
    const did = evaluateCheckLines(
      cell.lines,
      cell.hints,
      snap,
      {},
      [],
      [
        lost(rv('1.2', '1', '3'), 30, 'dropped'),
        state('2', 3, 'candidate', 3),
        state('3', 3, 'candidate', 3),
      ],
    );
    expect(did.map((a) => a.ok)).toEqual([true, true]);
    const unrecorded = evaluateCheckLines(cell.lines, cell.hints, snap, {}, [], null);
    expect(unrecorded[0]!.seen).toContain('keeps no history');
  });
});

describe('the recording', () => {
  it('pages by event number, and a late first page starts with what still holds', () => {
    const r = new RunRecorder('local', nodes);
    r.record(state('1', 100, 'leader', 2, '1'), 'a-1');
    r.record(timer('2', 110, 300), 'b-1');
    r.record(held(rv('2.1', '2', '3'), 120), 'b-2');
    r.record(held(rv('2.2', '2', '1'), 121), 'b-3');
    r.record(sent(rv('2.2', '2', '1'), 130), 'b-4');
    for (let i = 0; i < 10; i++) r.record(sent({ id: `1.${i}`, from: '1', to: '2' }, 1000 + i), `a-${i + 2}`);
    const page = r.trace({ since: 1000, limit: 4 });
    // The leader's state, node2's timer and the request still held come first; 2.2 was sent.
    expect(page.events.map((e) => e.id)).toEqual(['a-1', 'b-1', 'b-2', 'a-2', 'a-3', 'a-4', 'a-5']);
    expect(page.more).toBe(true);
    const next = r.trace({ after: page.events.at(-1)!.n, limit: 100 });
    expect(next.events.map((e) => e.id)).toEqual(['a-6', 'a-7', 'a-8', 'a-9', 'a-10', 'a-11']);
    expect(next.more).toBe(false);
  });

  it('keeps a sample only when it shows something new', () => {
    const r = new RunRecorder('local', nodes);
    r.sample(sampleAt(1, 3, '1', 2));
    r.sample(sampleAt(2, 3, '1', 2));
    r.sample(sampleAt(3, 3, '2', 3));
    expect(r.allSamples().map((s) => s.at)).toEqual([1, 3]);
  });
});

describe('the moment a check stopped holding', () => {
  it('is the first state change after the last sample where it held', () => {
    const r = new RunRecorder('local', nodes);
    r.sample(sampleAt(1000, 3, '1', 2));
    r.record(sent({ id: '1.1', from: '1', to: '2' }, 1100), 'a-1');
    r.record(state('1', 1150, 'follower', 3), 'a-2');
    r.sample(sampleAt(1200, 3, null, 3));
    const cell = parseCheckCell('leaders == 1\nterm == 3');
    const result = {
      assertions: evaluateCheckLines(cell.lines, cell.hints, r.allSamples().at(-1)!, {}),
      attempts: 1,
    };
    expect(result.assertions.map((a) => a.ok)).toEqual([false, true]);
    addMoments(cell, result, r, {}, 1300);
    expect(result.assertions[0]!.moment).toEqual({ at: 1150, event_id: 'a-2', node_id: '1' });
    expect(result.assertions[1]!.moment).toBeUndefined();
  });

  it('is absent when it never held in the recording', () => {
    const r = new RunRecorder('local', nodes);
    r.sample(sampleAt(1000, 3, null, 3));
    const cell = parseCheckCell('leaders == 1');
    const result = {
      assertions: evaluateCheckLines(cell.lines, cell.hints, r.allSamples()[0]!, {}),
      attempts: 1,
    };
    addMoments(cell, result, r, {});
    expect(result.assertions[0]!.moment).toBeUndefined();
  });
});

describe('choosing held requests', () => {
  const h = (
    id: string,
    from: string,
    to: string,
    rpc: 'request_vote' | 'append_entries',
    entries = 0,
  ): HeldOnNode => ({
    id,
    from,
    to,
    rpc,
    term: 3,
    entries,
    heartbeat: rpc === 'append_entries' && entries === 0,
    held_at: Number(id.split('.')[1]),
  });
  const all = [
    h('2.1', '2', '1', 'append_entries'),
    h('3.2', '3', '1', 'request_vote'),
    h('3.3', '3', '2', 'request_vote'),
    h('2.4', '2', '3', 'append_entries', 2),
  ];

  it('`next` is the oldest match, `all` every match, an id that one', () => {
    expect(pickHeld(all, { which: 'next', select: {} }).map((m) => m.id)).toEqual(['2.1']);
    expect(pickHeld(all, { which: 'next', select: { rpc: 'request_vote' } }).map((m) => m.id)).toEqual([
      '3.2',
    ]);
    expect(pickHeld(all, { which: 'all', select: { to: '1' } }).map((m) => m.id)).toEqual(['2.1', '3.2']);
    expect(pickHeld(all, { which: 'all', select: { rpc: 'heartbeat' } }).map((m) => m.id)).toEqual(['2.1']);
    expect(
      pickHeld(all, { which: 'all', select: { rpc: 'append_entries', from: '2' } }).map((m) => m.id),
    ).toEqual(['2.1', '2.4']);
    expect(pickHeld(all, { which: 'id', id: '3.3' }).map((m) => m.to)).toEqual(['2']);
  });
});
