// The picture at a moment, rebuilt from node events and status samples (web/src/history/scene.ts).
import { describe, expect, it } from 'vitest';
import { HistoryStore } from './history-store.ts';
import { deathPoint, LOST_MARK_MS, MIN_FLIGHT_MS, sceneAt } from './scene.ts';
import { held, lost, received, replied, replyReceived, sampleAt, sent, state, timer } from './test-events.ts';

function store(n = 3): HistoryStore {
  const s = new HistoryStore();
  s.addSample(sampleAt(1000, n, '1', 2));
  return s;
}

describe('the scene at a moment', () => {
  it('pairs a request and its reply from both nodes’ events into one exchange', () => {
    const s = store();
    const m = { id: '1.7', from: '1', to: '2', entries: 3, term: 2 };
    for (const e of [sent(m, 2000), received(m, 2001), replied(m, 2002), replyReceived(m, 2003)])
      s.addEvent(e);
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]).toMatchObject({
      from: '1',
      to: '2',
      entries: 3,
      sentAt: 2000,
      recvAt: 2001,
      replySentAt: 2002,
      replyRecvAt: 2003,
      result: true,
    });
  });

  it('draws a request travelling from its sender to its receiver for at least MIN_FLIGHT_MS', () => {
    const s = store();
    const m = { id: '1.7', from: '1', to: '2', entries: 1 };
    s.addEvent(sent(m, 2000));
    s.addEvent(received(m, 2001));
    const mid = sceneAt(s, 2000 + MIN_FLIGHT_MS / 2).flying;
    expect(mid).toHaveLength(1);
    expect(mid[0]).toMatchObject({ from: '1', to: '2', kind: 'request' });
    expect(mid[0]!.progress).toBeCloseTo(0.5, 5);
    expect(sceneAt(s, 2000 + MIN_FLIGHT_MS + 1).flying).toHaveLength(0);
  });

  it('follows a slow link: a message with a 1 s delay is half way after 500 ms', () => {
    const s = store();
    const m = { id: '1.8', from: '1', to: '3' };
    s.addEvent(sent(m, 2000, 1000));
    s.addEvent(received(m, 3000));
    expect(sceneAt(s, 2500).flying[0]!.progress).toBeCloseTo(0.5, 5);
  });

  it('a reply flies back from the receiver to the sender', () => {
    const s = store();
    const m = { rpc: 'request_vote' as const, id: '2.1', from: '2', to: '3', term: 3 };
    for (const e of [sent(m, 2000), received(m, 2001), replied(m, 2002, true), replyReceived(m, 2400, true)])
      s.addEvent(e);
    const back = sceneAt(s, 2200).flying.find((f) => f.kind === 'response')!;
    expect(back).toMatchObject({ from: '3', to: '2', result: true, rpc: 'request_vote' });
  });

  it('a lost message keeps its real destination and is marked where it died', () => {
    const s = store();
    const cut = { id: '1.9', from: '1', to: '3' };
    const down = { id: '1.10', from: '1', to: '2' };
    s.addEvent(sent(cut, 2000));
    s.addEvent(lost(cut, 2000, 'partitioned'));
    s.addEvent(sent(down, 2000));
    s.addEvent(lost(down, 2005, 'peer_down'));
    const flying = sceneAt(s, 2000 + MIN_FLIGHT_MS / 2).flying;
    expect(flying.find((f) => f.id === '1.9')).toMatchObject({ to: '3', lost: 'partitioned' });
    expect(flying.find((f) => f.id === '1.9')!.progress).toBeLessThanOrEqual(deathPoint('partitioned'));
    const marks = sceneAt(s, 2000 + MIN_FLIGHT_MS + 10).lost;
    expect(marks.find((k) => k.reason === 'partitioned')).toMatchObject({
      from: '1',
      to: '3',
      progress: 0.5,
    });
    expect(marks.find((k) => k.reason === 'peer_down')).toMatchObject({
      from: '1',
      to: '2',
      progress: deathPoint('peer_down'),
    });
    expect(sceneAt(s, 2000 + MIN_FLIGHT_MS + LOST_MARK_MS + 20).lost).toHaveLength(0);
  });

  it('a retry storm to a dead node is one mark with a count', () => {
    const s = store();
    for (let i = 0; i < 10; i++) {
      const m = { id: `1.${100 + i}`, from: '1', to: '2' };
      s.addEvent(sent(m, 2000 + i * 50));
      s.addEvent(lost(m, 2000 + i * 50 + 1, 'peer_down'));
    }
    const marks = sceneAt(s, 2700).lost;
    expect(marks).toHaveLength(1);
    expect(marks[0]!.count).toBeGreaterThanOrEqual(8);
  });

  it('a held request waits at its sender until delivered; a dropped one dies at the outbox', () => {
    const s = store();
    const a = { rpc: 'request_vote' as const, id: '3.1', from: '3', to: '1', term: 3 };
    const b = { rpc: 'request_vote' as const, id: '3.2', from: '3', to: '2', term: 3 };
    s.addEvent(held(a, 2000));
    s.addEvent(held(b, 2000));
    expect(sceneAt(s, 2500).held.map((h) => h.id)).toEqual(['3.1', '3.2']);
    s.addEvent(sent(a, 3000));
    s.addEvent(lost(b, 3100, 'dropped'));
    const later = sceneAt(s, 3050);
    expect(later.held.map((h) => h.id)).toEqual(['3.2']);
    expect(later.flying.map((f) => f.id)).toEqual(['3.1']);
    const afterDrop = sceneAt(s, 3150);
    expect(afterDrop.held).toHaveLength(0);
    expect(afterDrop.lost[0]).toMatchObject({
      from: '3',
      to: '2',
      reason: 'dropped',
      progress: deathPoint('dropped'),
    });
  });

  it('roles and terms come from the sample, then from the events after it', () => {
    const s = store();
    s.addEvent(state('3', 2000, 'candidate', 3));
    s.addEvent(state('3', 2500, 'leader', 3, '3'));
    expect(sceneAt(s, 1500).servers.find((x) => x.id === '3')).toMatchObject({
      role: 'follower',
      term: 2,
      votedFor: '1',
    });
    expect(sceneAt(s, 2100).servers.find((x) => x.id === '3')).toMatchObject({
      role: 'candidate',
      term: 3,
      votedFor: '3',
    });
    expect(sceneAt(s, 2600).servers.find((x) => x.id === '3')).toMatchObject({
      role: 'leader',
      term: 3,
      leaderId: '3',
    });
    // The log strips use the sample's view, brought up to the moment.
    expect(sceneAt(s, 2600).servers.find((x) => x.id === '3')!.view!.status!.state).toBe('leader');
  });

  it('a candidate shows the votes it has received in its term', () => {
    const s = store();
    s.addEvent(state('3', 2000, 'candidate', 3));
    const toOne = { rpc: 'request_vote' as const, id: '3.1', from: '3', to: '1', term: 3 };
    const toTwo = { rpc: 'request_vote' as const, id: '3.2', from: '3', to: '2', term: 3 };
    s.addEvent(replyReceived(toOne, 2100, true));
    s.addEvent(replyReceived(toTwo, 2200, false));
    expect(sceneAt(s, 2150).servers.find((x) => x.id === '3')!.votes).toEqual({ '1': true });
    expect(sceneAt(s, 2250).servers.find((x) => x.id === '3')!.votes).toEqual({ '1': true, '2': false });
  });

  it('an election timer counts down from its reset; a paused one stands still', () => {
    const s = store();
    s.addEvent(timer('2', 2000, 400));
    expect(sceneAt(s, 2100).servers.find((x) => x.id === '2')!.timer).toMatchObject({
      state: 'running',
      remainingMs: 300,
      fraction: 0.75,
    });
    s.addEvent(timer('2', 2200, 400, 200, 'paused'));
    expect(sceneAt(s, 5000).servers.find((x) => x.id === '2')!.timer).toMatchObject({
      state: 'paused',
      remainingMs: 200,
      fraction: 0.5,
    });
    // A leader has none.
    expect(sceneAt(s, 2100).servers.find((x) => x.id === '1')!.timer).toBeNull();
  });

  it('ignores the same event twice (a reconnect replays what was missed)', () => {
    const s = store();
    const m = { id: '1.7', from: '1', to: '2' };
    const e = sent(m, 2000);
    expect(s.addEvent(e, 'p-1', 1)).toBe(true);
    expect(s.addEvent(e, 'p-1', 1)).toBe(false);
    expect(s.events).toHaveLength(1);
  });

  it('a request held for minutes is the same message when it is finally delivered', () => {
    const s = store();
    const m = { rpc: 'request_vote' as const, id: '3.4', from: '3', to: '1', term: 3 };
    s.addEvent(held(m, 2000));
    s.addEvent(sent(m, 182_000));
    s.addEvent(received(m, 182_001));
    expect(s.messages).toHaveLength(1);
    expect(sceneAt(s, 182_050).held).toHaveLength(0);
    expect(sceneAt(s, 182_050).flying.map((f) => f.id)).toEqual(['3.4']);
  });

  it('a restarted node’s reused message id is a new message', () => {
    const s = store();
    const m = { id: '2.1', from: '2', to: '1' };
    s.addEvent(sent(m, 2000));
    s.addEvent(received(m, 2001));
    s.addEvent(replied(m, 2002));
    s.addEvent(replyReceived(m, 2003));
    s.addEvent(sent(m, 60_000));
    expect(s.messages).toHaveLength(2);
  });
});
