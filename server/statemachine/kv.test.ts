import { describe, expect, test } from 'vitest';
import type { Entry } from '../raft/types.ts';
import { KvStateMachine } from './kv.ts';
import { ClientSessions, RESULTS_PER_CLIENT } from './sessions.ts';

/** A log whose entries get consecutive indexes, as a replica applies them. */
function logWriter() {
  let next = 1;
  return (command: string, client?: [number | string, number | string]): Entry => {
    const e: Entry = { index: next++, term: 1, type: 'command', command };
    if (client) [e.client_id, e.request_id] = client.map(String) as [string, string];
    return e;
  };
}

/** Applies `register` and returns the new session's client id. */
function register(kv: KvStateMachine, cmd: ReturnType<typeof logWriter>): number {
  const r = kv.apply(cmd('register'));
  expect(r.clientId).toBeTypeOf('number');
  return r.clientId!;
}

describe('KvStateMachine', () => {
  test('set, get and delete return the value or the previous value', () => {
    const cmd = logWriter();
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
    const cmd = logWriter();
    const kv = new KvStateMachine();
    kv.apply(cmd('set a=1'));
    expect(kv.apply({ index: 9, term: 2, type: 'noop', command: null })).toEqual({ result: null });
    expect(kv.kv()).toEqual({ a: '1' });
    expect(kv.appliedIndex).toBe(9);
  });

  test('a command that cannot be parsed is reported and changes nothing', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    const out = kv.apply(cmd('put x=1'));
    expect(out.result).toBeNull();
    expect(out.error).toMatch(/unknown command/);
    expect(kv.kv()).toEqual({});
  });

  test('kv() lists keys in sorted order', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    kv.apply(cmd('set b=2'));
    kv.apply(cmd('set a=1'));
    expect(Object.keys(kv.kv())).toEqual(['a', 'b']);
  });

  test('register opens a session whose client id is the index of its entry (§6.3)', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    kv.apply(cmd('set a=1'));
    expect(kv.apply(cmd('register'))).toEqual({ result: null, clientId: 2 });
    expect(kv.apply(cmd('register', [2, 1])).error).toMatch(/without client_id/);
  });

  test('a retried request (same client_id and request_id) returns the first result and is not applied twice (§6.3)', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    const c1 = register(kv, cmd);
    const c2 = register(kv, cmd);
    kv.apply(cmd('set n=1'));
    expect(kv.apply(cmd('set n=2', [c1, 1]))).toEqual({ result: '1' });
    kv.apply(cmd('set n=3'));
    expect(kv.apply(cmd('set n=2', [c1, 1]))).toEqual({ result: '1', duplicate: true });
    expect(kv.get('n')).toBe('3');
    // Another client, or another request of the same client, is applied normally.
    expect(kv.apply(cmd('set n=4', [c2, 1]))).toEqual({ result: '3' });
    expect(kv.apply(cmd('set n=5', [c1, 2]))).toEqual({ result: '4' });
  });

  test('the issue-10 input: r1, then r2…r17, then r1 again is refused as request_expired, never applied again (§6.3)', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    const c = cmd('register').index; // the client id is the index of its register entry
    kv.apply({ index: c, term: 1, type: 'command', command: 'register' });
    expect(kv.apply(cmd('set x=1', [c, 1]))).toEqual({ result: null });
    for (let r = 2; r <= 17; r++) expect(kv.apply(cmd(`set x=${r}`, [c, r])).result).toBe(String(r - 1));
    const retry = kv.apply(cmd('set x=1', [c, 1]));
    expect(retry.refused?.code).toBe('request_expired');
    expect(retry.refused?.detail).toMatch(/not applied again/);
    expect(kv.get('x')).toBe('17');
    // The last 16 (r2…r17) are still answered with their first result; a new number is applied.
    expect(kv.apply(cmd('set x=2', [c, 2]))).toEqual({ result: '1', duplicate: true });
    expect(kv.apply(cmd('set x=18', [c, 18]))).toEqual({ result: '17' });
  });

  test('a request number the session skipped and has since forgotten is refused, not applied', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    const c = register(kv, cmd);
    // 1 is never sent (its client crashed before sending it, say); 2…18 are applied.
    for (let r = 2; r <= RESULTS_PER_CLIENT + 2; r++) kv.apply(cmd(`set y=${r}`, [c, r]));
    expect(kv.apply(cmd('set y=late', [c, 1])).refused?.code).toBe('request_expired');
    expect(kv.get('y')).toBe(String(RESULTS_PER_CLIENT + 2));
  });

  test('a session evicted by the client cap is refused as session_expired, even for its very first request', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine(new ClientSessions(RESULTS_PER_CLIENT, 2));
    // Client ids are the indexes of the register entries: 1, 2 and 4.
    const [a, b, c] = [1, 2, 4];
    kv.apply(cmd('register'));
    kv.apply(cmd('register'));
    expect(kv.apply(cmd('set a=1', [a, 1]))).toEqual({ result: null }); // a is now the most recent
    kv.apply(cmd('register')); // c: evicts b, the least recently active
    expect(kv.apply(cmd('set a=2', [a, 2]))).toEqual({ result: '1' });
    // b retries its very first request: not mistaken for a new client, not applied.
    const first = kv.apply(cmd('set b=1', [b, 1]));
    expect(first.refused?.code).toBe('session_expired');
    expect(first.refused?.detail).toMatch(/register/);
    expect(kv.get('b')).toBeNull();
    // a client id nobody registered (or one of a past life of the cluster) is refused the same way.
    expect(kv.apply(cmd('set z=1', [999, 1])).refused?.code).toBe('session_expired');
    expect(kv.apply(cmd('set c=1', [c, 1]))).toEqual({ result: null });
  });

  test('ids that are not a session id and a sequence number are reported, not applied', () => {
    const cmd = logWriter();
    const kv = new KvStateMachine();
    expect(kv.apply(cmd('set x=1', ['learner', 'r1'])).error).toMatch(/client_id must be/);
    expect(
      kv.apply({ index: 9, term: 1, type: 'command', command: 'set x=1', client_id: '1' }).error,
    ).toMatch(/both given/);
    expect(kv.kv()).toEqual({});
  });

  test('two replicas applying the same entries end with the same map, sessions and answers', () => {
    const cmd = logWriter();
    const entries = [
      cmd('register'),
      cmd('set a=1', [1, 1]),
      cmd('set a=2', [1, 1]),
      cmd('delete a', [7, 1]),
      cmd('set b=1'),
      cmd('get b', [1, 2]),
    ];
    const one = new KvStateMachine();
    const two = new KvStateMachine();
    expect(entries.map((e) => one.apply(e))).toEqual(entries.map((e) => two.apply(e)));
    expect(one.snapshot()).toEqual(two.snapshot());
  });
});
