// Batches bounded by bytes as well as by count (etcd's MaxSizePerMsg), always at least one
// entry per message, and flow control on bytes in flight — so a follower that fell behind
// by a few large values can always be caught up (issue 10, fault 3), and a slow one never
// starves the heartbeats that keep it from starting elections (§5.2).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { entryBytes, utf8Length } from '../entry-size.ts';
import type { Entry } from '../types.ts';
import { appendResponse, drain, HEARTBEAT, leaderOfTerm1, ofType, ticks } from './harness.ts';

const big = (kb: number) => `set v=${'x'.repeat(kb * 1024)}`;

describe('entry size on the wire', () => {
  test('entryBytes is the UTF-8 length of the entry as JSON, plus its separating comma', () => {
    const entry = fc.record({
      index: fc.nat(),
      term: fc.nat(),
      type: fc.constant('command' as const),
      command: fc.string({ unit: 'binary', maxLength: 200 }),
      client_id: fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
    });
    fc.assert(
      fc.property(entry, (e) => {
        const clean = Object.fromEntries(
          Object.entries(e).filter(([, v]) => v !== undefined),
        ) as unknown as Entry;
        expect(entryBytes(clean)).toBe(new TextEncoder().encode(JSON.stringify(clean)).length + 1);
      }),
      { numRuns: 500 },
    );
  });

  test('utf8Length counts a lone surrogate as the 3 bytes TextEncoder writes for it', () => {
    for (const s of ['\ud800', 'a\udc00b', '😀', '\u07ff\u0800'])
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe('batching by bytes (issue 10, fault 3)', () => {
  test('an append carries at most maxBytesPerMessage of entries', () => {
    const core = leaderOfTerm1({ maxBytesPerMessage: 200 * 1024 });
    core.propose(Array.from({ length: 20 }, () => ({ command: big(60) })));
    const appends = ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '2');
    expect(appends.length).toBeGreaterThan(1);
    for (const m of appends) {
      const bytes = m.entries.reduce((n, e) => n + entryBytes(e), 0);
      expect(bytes).toBeLessThanOrEqual(200 * 1024);
      expect(m.entries.length).toBe(3); // 3 × ~61 KB fit, 4 do not
    }
  });

  test('an entry larger than the limit still goes, alone', () => {
    const core = leaderOfTerm1({ maxBytesPerMessage: 1000 });
    core.propose([{ command: big(4) }, { command: 'set a=1' }]);
    const [first, second] = ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '2');
    expect(first!.entries.map((e) => e.command?.length)).toEqual([big(4).length]);
    expect(second!.entries.map((e) => e.command)).toEqual(['set a=1']);
  });

  test('the count limit still holds for small entries', () => {
    const core = leaderOfTerm1({ maxEntriesPerMessage: 3 });
    core.propose(Array.from({ length: 7 }, (_, i) => ({ command: `set k=${i}` })));
    const sizes = ofType(drain(core).messages, 'append_entries')
      .filter((m) => m.to === '2')
      .map((m) => m.entries.length);
    expect(sizes).toEqual([3, 3, 1]);
  });

  test('no more appends once maxInflightBytes are unanswered; an answer lets the next go', () => {
    const core = leaderOfTerm1({ maxBytesPerMessage: 100 * 1024, maxInflightBytes: 130 * 1024 });
    core.propose(Array.from({ length: 10 }, () => ({ command: big(60) })));
    const first = ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '2');
    // ~61 KB each, one per message: after the third, 183 KB are unanswered, over the 130 KB bound.
    expect(first.map((m) => m.entries.length)).toEqual([1, 1, 1]);
    core.step(appendResponse('2', '1', 1, true, first[0]!.entries[0]!.index));
    expect(
      ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '2' && m.entries.length > 0),
    ).toHaveLength(1);
  });

  test('a follower whose pipeline is full still gets its heartbeats', () => {
    const core = leaderOfTerm1({ maxBytesPerMessage: 100 * 1024, maxInflightBytes: 100 * 1024 });
    core.propose(Array.from({ length: 5 }, () => ({ command: big(60) })));
    drain(core);
    for (let i = 0; i < 3; i++) {
      ticks(core, HEARTBEAT);
      const beats = ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '2');
      expect(beats).toHaveLength(1);
      expect(beats[0]!.entries).toEqual([]);
    }
  });
});
