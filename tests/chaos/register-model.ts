// The sequential specification of one key of the node's key-value store, for the
// linearizability checker: `set` and `delete` answer the previous value, `get` the current
// one, null when there is none (server/statemachine/kv.ts, written again here from the API
// documentation so the checker does not trust the code it checks).

import type { Model } from './linearizability.ts';

export type KeyInput = { kind: 'set'; value: string } | { kind: 'get' } | { kind: 'delete' };
/** What the operation answered: the (previous) value, or null. */
export type KeyOutput = string | null;

/** One key's model. Values are interned to short cache keys (values can be kilobytes). */
export function registerModel(): Model<string | null, KeyInput, KeyOutput> {
  const ids = new Map<string, number>();
  return {
    init: null,
    step(state, input, output) {
      const ok = output === undefined || output === state;
      if (input.kind === 'set') return { ok, state: input.value };
      if (input.kind === 'delete') return { ok, state: null };
      return { ok, state };
    },
    key(state) {
      if (state === null) return '-';
      let id = ids.get(state);
      if (id === undefined) {
        id = ids.size;
        ids.set(state, id);
      }
      return String(id);
    },
  };
}
