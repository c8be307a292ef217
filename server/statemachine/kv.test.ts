import { describe, expect, test } from 'vitest';
import type { Entry } from '../raft/types.ts';
import { KvStateMachine } from './kv.ts';
import { ClientSessions } from './sessions.ts';

let next = 1;
function cmd(command: string, client?: [string, string]): Entry {
  const e: Entry = { index: next++, term: 1, type: 'command', command };
  if (client) [e.client_id, e.request_id] = client;
  return e;
}

describe('KvStateMachine', () => {
  test('set, get and delete return the value or the previous value', () => {
    const kv = new KvStateMachine();
    expect(kv.apply(cmd('get x'))).toEqual({ result: null });
    expect(kv.apply(cmd('set x=1'))).toEqual({ result: null });
    expect(kv.apply(cmd('set x=2'))).toEqual({ result: '1' });
    expect(kv.apply(cmd('get x'))).toEqual({ result: '2' });
    expect(kv.apply(cmd('delete x'))).toEqual({ result: '2' });
    expect(kv.apply(cmd('delete x'))).toEqual({ result: null });
    expect(kv.kv()).toEqual({});
  });

  test('a no-op changes nothing and gives null', () => {
    const kv = new KvStateMachine();
    kv.apply(cmd('set a=1'));
    expect(kv.apply({ index: 9, term: 2, type: 'noop', command: null })).toEqual({ result: null });
    expect(kv.kv()).toEqual({ a: '1' });
    expect(kv.appliedIndex).toBe(9);
  });

  test('a command that cannot be parsed is reported and changes nothing', () => {
    const kv = new KvStateMachine();
    const out = kv.apply(cmd('put x=1'));
    expect(out.result).toBeNull();
    expect(out.error).toMatch(/unknown command/);
    expect(kv.kv()).toEqual({});
  });

  test('kv() lists keys in sorted order', () => {
    const kv = new KvStateMachine();
    kv.apply(cmd('set b=2'));
    kv.apply(cmd('set a=1'));
    expect(Object.keys(kv.kv())).toEqual(['a', 'b']);
  });

  test('a retried request (same client_id and request_id) returns the first result and is not applied twice (§6.3)', () => {
    const kv = new KvStateMachine();
    kv.apply(cmd('set n=1'));
    expect(kv.apply(cmd('set n=2', ['c1', 'r1']))).toEqual({ result: '1' });
    kv.apply(cmd('set n=3'));
    expect(kv.apply(cmd('set n=2', ['c1', 'r1']))).toEqual({ result: '1', duplicate: true });
    expect(kv.get('n')).toBe('3');
    // Another client, or another request of the same client, is applied normally.
    expect(kv.apply(cmd('set n=4', ['c2', 'r1']))).toEqual({ result: '3' });
    expect(kv.apply(cmd('set n=5', ['c1', 'r2']))).toEqual({ result: '4' });
  });

  test('two replicas applying the same entries end with the same map and the same answers', () => {
    const entries = [
      cmd('set a=1', ['c', '1']),
      cmd('set a=2', ['c', '1']),
      cmd('delete a', ['d', '1']),
      cmd('set b=1'),
      cmd('get b', ['c', '2']),
    ];
    const one = new KvStateMachine();
    const two = new KvStateMachine();
    expect(entries.map((e) => one.apply(e))).toEqual(entries.map((e) => two.apply(e)));
    expect(one.kv()).toEqual(two.kv());
  });
});

describe('ClientSessions', () => {
  test('keeps only the latest few results per client', () => {
    const s = new ClientSessions(2, 100);
    s.record('c', 'r1', 'a');
    s.record('c', 'r2', 'b');
    s.record('c', 'r3', null);
    expect(s.lookup('c', 'r1')).toBeUndefined();
    expect(s.lookup('c', 'r2')).toEqual({ result: 'b' });
    expect(s.lookup('c', 'r3')).toEqual({ result: null });
  });

  test('keeps a bounded number of clients, forgetting the least recently active', () => {
    const s = new ClientSessions(4, 2);
    s.record('a', '1', 'x');
    s.record('b', '1', 'y');
    s.record('a', '2', 'z'); // a is now the most recent
    s.record('c', '1', 'w');
    expect(s.clientCount()).toBe(2);
    expect(s.lookup('b', '1')).toBeUndefined();
    expect(s.lookup('a', '1')).toEqual({ result: 'x' });
    expect(s.lookup('c', '1')).toEqual({ result: 'w' });
  });
});
