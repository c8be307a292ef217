// A linearizability checker: Wing & Gong's search with Lowe's memoisation (the algorithm behind
// Porcupine and Knossos's "wgl" checker). No maintained JavaScript implementation exists on npm,
// so this is one, small and tested (linearizability.test.ts).
//
// A history is a set of operations, each with a call time, a return time and an observed
// output. It is linearizable if there is one order of all operations that (1) respects real
// time — an operation that returned before another was called comes first — and (2) is a legal
// sequential run of the model, giving each operation the output it observed. An operation
// whose outcome is unknown (a timeout: it may or may not have taken effect) returns at
// +Infinity with no observed output, so the search may place it anywhere after its call,
// including after everything else (= it never took effect).
//
// The search walks the calls and returns in time order, tries to linearize a pending call
// next, and backtracks when a return is reached whose operation is not yet linearized. A
// cache of (set of linearized operations, model state) already explored stops it from
// exploring the same situation twice; sets are hashed incrementally (Zobrist hashing, two
// independent 32-bit halves).

export interface Model<S, I, O> {
  init: S;
  /** Applies `input` to `state`; ok = the model can give `output` (undefined: any output). */
  step(state: S, input: I, output: O | undefined): { ok: boolean; state: S };
  /** Equal states must give equal keys (for the cache). */
  key(state: S): string;
}

export interface Operation<I, O> {
  id: number;
  call: number;
  /** +Infinity when the outcome is unknown. */
  ret: number;
  input: I;
  /** undefined when the outcome is unknown. */
  output: O | undefined;
}

export type LinearizabilityResult =
  | { linearizable: true; order: number[] }
  | {
      linearizable: false;
      /** The longest order the search found that explains a prefix (operation ids). */
      longest: number[];
      /** Operations that could have come next at that point, none of which fit. */
      stuckAt: number[];
    }
  | { linearizable: 'unknown'; reason: string };

interface Node<I, O> {
  op: Operation<I, O>;
  isCall: boolean;
  /** For a call: its return node. */
  match: Node<I, O> | null;
  prev: Node<I, O> | null;
  next: Node<I, O> | null;
  index: number;
}

/** Checks one object's history (split a multi-key history by key first: P-compositionality). */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  ops: Operation<I, O>[],
  options: { deadline?: number } = {},
): LinearizabilityResult {
  const n = ops.length;
  // Call and return events in time order; at equal times calls first (the more permissive choice).
  const events = ops.flatMap((op, index) => [
    { op, index, isCall: true, time: op.call },
    { op, index, isCall: false, time: op.ret },
  ]);
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.index - b.index : a.isCall ? -1 : 1));
  const head: Node<I, O> = {
    op: null as never,
    isCall: false,
    match: null,
    prev: null,
    next: null,
    index: -1,
  };
  const returns = new Map<number, Node<I, O>>();
  let tail = head;
  const nodes: Node<I, O>[] = [];
  for (const ev of events) {
    const node: Node<I, O> = {
      op: ev.op,
      isCall: ev.isCall,
      match: null,
      prev: tail,
      next: null,
      index: ev.index,
    };
    tail.next = node;
    tail = node;
    if (ev.isCall) nodes.push(node);
    else returns.set(ev.index, node);
  }
  for (const c of nodes) c.match = returns.get(c.index)!;

  const lift = (c: Node<I, O>) => {
    c.prev!.next = c.next;
    if (c.next) c.next.prev = c.prev;
    const r = c.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (c: Node<I, O>) => {
    const r = c.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    c.prev!.next = c;
    if (c.next) c.next.prev = c;
  };

  const zobrist = zobristTable(n);
  let h1 = 0;
  let h2 = 0;
  const cache = new Set<string>();
  const stack: { call: Node<I, O>; state: S }[] = [];
  let state = model.init;
  let longest: number[] = [];
  let stuckAt: number[] = [];
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (options.deadline !== undefined && ++steps % 4096 === 0 && Date.now() > options.deadline) {
      return {
        linearizable: 'unknown',
        reason: `the search did not finish in time (${stack.length} of ${n} placed)`,
      };
    }
    if (entry!.isCall) {
      const { ok, state: next } = model.step(state, entry!.op.input, entry!.op.output);
      const i = entry!.index;
      const key = ok
        ? `${(h1 ^ zobrist[2 * i]!) >>> 0}:${(h2 ^ zobrist[2 * i + 1]!) >>> 0}:${model.key(next)}`
        : '';
      if (ok && !cache.has(key)) {
        cache.add(key);
        stack.push({ call: entry!, state });
        state = next;
        h1 ^= zobrist[2 * i]!;
        h2 ^= zobrist[2 * i + 1]!;
        lift(entry!);
        entry = head.next;
      } else {
        entry = entry!.next;
      }
    } else {
      // A return whose call is not linearized yet: this branch cannot go on. Back up one step.
      if (stack.length >= longest.length) {
        longest = stack.map((s) => s.call.op.id);
        stuckAt = pendingCalls(head);
      }
      const top = stack.pop();
      if (!top) return { linearizable: false, longest, stuckAt };
      const i = top.call.index;
      h1 ^= zobrist[2 * i]!;
      h2 ^= zobrist[2 * i + 1]!;
      state = top.state;
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return { linearizable: true, order: stack.map((s) => s.call.op.id) };
}

/** The calls before the first return in the list: what could have been linearized next. */
function pendingCalls<I, O>(head: Node<I, O>): number[] {
  const out: number[] = [];
  for (let e = head.next; e?.isCall; e = e.next) out.push(e.op.id);
  return out;
}

/** Two random 32-bit numbers per operation (seeded, so runs are reproducible). */
function zobristTable(n: number): Uint32Array {
  const t = new Uint32Array(2 * n);
  let s = 0x9e3779b9;
  for (let i = 0; i < t.length; i++) {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    t[i] = s >>> 0;
  }
  return t;
}
