// The linearizability checker (linearizability.ts) on histories whose answer is known: it
// must accept every history a sequential run produced, reject classic anomalies, and treat
// an unknown outcome as "took effect at some point after its call, or never".

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable, type Operation } from './linearizability.ts';
import { type KeyInput, type KeyOutput, registerModel } from './register-model.ts';

type Op = Operation<KeyInput, KeyOutput>;
let nextId = 0;
/** One operation on the register: called at `call`, returned at `ret` (Infinity: never known). */
const op = (call: number, ret: number, input: KeyInput, output: KeyOutput | undefined): Op => ({
  id: nextId++,
  call,
  ret,
  input,
  output,
});
const set = (call: number, ret: number, value: string, prev: KeyOutput | undefined) =>
  op(call, ret, { kind: 'set', value }, prev);
const get = (call: number, ret: number, value: KeyOutput | undefined) =>
  op(call, ret, { kind: 'get' }, value);
const del = (call: number, ret: number, prev: KeyOutput | undefined) =>
  op(call, ret, { kind: 'delete' }, prev);
const unknownSet = (call: number, value: string) => set(call, Number.POSITIVE_INFINITY, value, undefined);
const check = (ops: Op[]) => checkLinearizable(registerModel(), ops).linearizable;

describe('linearizability checker (Wing & Gong with memoisation)', () => {
  it('accepts a sequential history and concurrent operations in either order', () => {
    expect(
      check([set(0, 1, 'a', null), get(2, 3, 'a'), set(4, 5, 'b', 'a'), del(6, 7, 'b'), get(8, 9, null)]),
    ).toBe(true);
    // The get overlaps the set: it may see the old value or the new one.
    expect(check([set(0, 1, 'a', null), set(2, 6, 'b', 'a'), get(3, 4, 'a')])).toBe(true);
    expect(check([set(0, 1, 'a', null), set(2, 6, 'b', 'a'), get(3, 4, 'b')])).toBe(true);
  });

  it('rejects a stale read: a value read after a newer one was acknowledged', () => {
    const r = checkLinearizable(registerModel(), [set(0, 1, 'a', null), set(2, 3, 'b', 'a'), get(4, 5, 'a')]);
    expect(r.linearizable).toBe(false);
    if (r.linearizable === false) {
      expect(r.longest.length).toBe(2); // set a, set b; then the get cannot fit
      expect(r.stuckAt.length).toBe(1);
    }
  });

  it('rejects a value nobody wrote, and a wrong previous value', () => {
    expect(check([set(0, 1, 'a', null), get(2, 3, 'zzz')])).toBe(false);
    expect(check([set(0, 1, 'a', null), set(2, 3, 'b', null)])).toBe(false);
    expect(check([set(0, 1, 'a', null), del(2, 3, 'a'), del(4, 5, 'a')])).toBe(false);
  });

  it('rejects two readers that see two concurrent writes in opposite orders', () => {
    const writes = [set(0, 10, '1', undefined), set(0, 10, '2', undefined)];
    const a = [get(1, 2, '1'), get(3, 4, '2')];
    const b = [get(1, 2, '2'), get(3, 4, '1')];
    expect(check([...writes, ...a])).toBe(true);
    expect(check([...writes, ...a, ...b])).toBe(false);
  });

  it('lets an operation with an unknown outcome take effect after its call, or never — but never before its call', () => {
    // Observed later: it took effect.
    expect(check([set(0, 1, 'a', null), unknownSet(2, 'b'), get(5, 6, 'b'), get(7, 8, 'b')])).toBe(true);
    // Never observed: it may never have taken effect.
    expect(check([set(0, 1, 'a', null), unknownSet(2, 'b'), get(5, 6, 'a')])).toBe(true);
    // Seen, then not seen any more, with nothing else writing: impossible.
    expect(check([set(0, 1, 'a', null), unknownSet(2, 'b'), get(5, 6, 'b'), get(7, 8, 'a')])).toBe(false);
    // Read before it was even sent: impossible.
    expect(check([get(0, 1, 'b'), unknownSet(2, 'b')])).toBe(false);
    // An unknown delete that must have happened between two reads.
    expect(check([set(0, 1, 'a', null), del(2, Number.POSITIVE_INFINITY, undefined), get(3, 4, null)])).toBe(
      true,
    );
  });

  it('accepts every history produced by a sequential run with random overlaps, and rejects it once one read is corrupted (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('set', 'get', 'delete'),
            stretchBefore: fc.nat({ max: 30 }),
            stretchAfter: fc.nat({ max: 30 }),
            unknown: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.nat(),
        (steps, pick) => {
          // Operation i takes effect at time 100*i; its interval stretches around that point.
          let state: KeyOutput = null;
          const ops: Op[] = steps.map((s, i) => {
            const at = 100 * i + 50;
            const call = at - s.stretchBefore - 1;
            const ret = s.unknown && s.kind !== 'get' ? Number.POSITIVE_INFINITY : at + s.stretchAfter + 1;
            const before = state;
            const out = ret === Number.POSITIVE_INFINITY ? undefined : before;
            if (s.kind === 'set') {
              state = `v${i}`;
              return set(call, ret, `v${i}`, out);
            }
            if (s.kind === 'delete') {
              state = null;
              return del(call, ret, out);
            }
            return get(call, ret, out);
          });
          expect(check(ops)).toBe(true);
          const reads = ops.filter((o) => o.input.kind === 'get');
          if (reads.length === 0) return;
          const victim = reads[pick % reads.length]!;
          victim.output = 'never-written';
          expect(check(ops)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives up with "unknown" at the deadline instead of running forever', () => {
    // 60 concurrent unknown writes and reads that force a search through their orders.
    const ops: Op[] = [];
    for (let i = 0; i < 60; i++) ops.push(unknownSet(0, `w${i}`));
    for (let i = 0; i < 60; i++) ops.push(get(10 + 2 * i, 11 + 2 * i, `w${(i * 37) % 60}`));
    ops.push(get(1000, 1001, 'nobody'));
    const r = checkLinearizable(registerModel(), ops, { deadline: Date.now() + 200 });
    expect(r.linearizable).not.toBe(true);
  });
});
