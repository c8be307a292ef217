// The lab's client session adapts to the node's session protocol (client-session.ts): nodes that
// know `register` (dissertation §6.3: the register entry's index is the client id, request ids
// count 1, 2, 3…, a forgotten session is answered 410 session_expired) and nodes that take any
// client id. The nodes here are small HTTP servers that answer /client_command as each kind of
// node does, so both protocols are exercised whichever one this branch's nodes speak.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedResponse, SentRequest } from '../../server/contract/lab-api.ts';
import { LabClientSession } from '../../server/lab/run/client-session.ts';
import { HostGuard } from '../../server/lab/run/host-guard.ts';

let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** A node that answers each /client_command body with `answer(body)`; returns its URL. */
async function node(answer: (body: Record<string, unknown>) => [number, object]): Promise<string> {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => {
      text += d;
    });
    req.on('end', () => {
      const [status, body] = answer(JSON.parse(text || '{}'));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const write = (url: string): SentRequest => ({
  method: 'POST',
  url: `${url}/client_command`,
  headers: { 'Content-Type': 'application/json' },
  body: '{"command": "set x=1"}',
});
const signal = new AbortController().signal;
const guardFor = (url: string) => new HostGuard([{ id: '1', name: 'node1', url }]);

describe('the lab client session', () => {
  it('registers once with a node that knows `register`, then numbers its requests 1, 2, 3', async () => {
    const commands: string[] = [];
    const url = await node((b) => {
      commands.push(String(b.command));
      return [200, { node_id: '1', success: true, index: 7, term: 2, result: null, client_id: 7 }];
    });
    const session = new LabClientSession();
    const a = await session.attach(write(url), guardFor(url), 2000, signal);
    const b = await session.attach(write(url), guardFor(url), 2000, signal);
    expect(a).toEqual({ clientId: 7, requestId: 1, opened: { index: 7 }, by: 'lab' });
    expect(b).toEqual({ clientId: 7, requestId: 2, opened: null, by: 'lab' });
    expect(commands).toEqual(['register']);
  });

  it('opens a new session after 410 session_expired, and after a reset', async () => {
    let next = 3;
    const url = await node(() => [
      200,
      { success: true, index: next, term: 1, result: null, client_id: next++ },
    ]);
    const session = new LabClientSession();
    expect((await session.attach(write(url), guardFor(url), 2000, signal)).clientId).toBe(3);
    const expired = { status: 410, body: { error: 'session_expired' } } as unknown as ReceivedResponse;
    session.noteAnswer(expired);
    expect(await session.attach(write(url), guardFor(url), 2000, signal)).toMatchObject({
      clientId: 4,
      requestId: 1,
    });
    session.forget();
    expect(await session.attach(write(url), guardFor(url), 2000, signal)).toMatchObject({
      clientId: 5,
      requestId: 1,
    });
  });

  it('makes up a client id for a node without `register` (it refuses the command as unknown)', async () => {
    const url = await node(() => [
      400,
      {
        error: 'bad_request',
        detail: "unknown command 'register': use 'set KEY=VALUE', 'get KEY' or 'delete KEY'",
      },
    ]);
    const session = new LabClientSession();
    const a = await session.attach(write(url), guardFor(url), 2000, signal);
    const b = await session.attach(write(url), guardFor(url), 2000, signal);
    expect(a.clientId).toMatch(/^lab-/);
    expect(b.clientId).toBe(a.clientId);
    expect([a.requestId, b.requestId]).toEqual(['1', '2']);
    expect(a.opened).toBeNull();
  });

  it('sends nothing when it cannot open a session (no leader yet): a transient error to retry', async () => {
    const url = await node(() => [503, { error: 'no_leader', detail: 'no leader is known right now' }]);
    await expect(
      new LabClientSession().attach(write(url), guardFor(url), 2000, signal),
    ).rejects.toMatchObject({
      transient: true,
      message: expect.stringContaining('could not open a client session'),
    });
  });
});
