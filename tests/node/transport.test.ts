// The node's outgoing RPCs (server/node/transport.ts) over kept-alive connections.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcFailure, Transport } from '../../server/node/transport.ts';

let server: http.Server | null = null;
let transport: Transport | null = null;
afterEach(async () => {
  transport?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = null;
});

/** A peer whose connections can be made to hang (as if its address had changed); answers its port. */
async function peerWithStaleConnections(open: Set<Socket>, stale: Set<Socket>): Promise<number> {
  server = http.createServer((req, res) => {
    if (stale.has(req.socket)) return; // never answered, like a connection to an old address
    res.setHeader('content-type', 'application/json');
    res.end('{"term":1,"success":true}');
  });
  server.on('connection', (s: Socket) => open.add(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('outgoing RPCs', () => {
  it('after reconnect (/admin/reconnect) no old connection is used: the first call connects afresh', async () => {
    const open = new Set<Socket>();
    const stale = new Set<Socket>();
    const port = await peerWithStaleConnections(open, stale);
    transport = new Transport('1', [{ id: '2', url: `http://127.0.0.1:${port}` }], 5000);
    await Promise.all([1, 2, 3].map((i) => transport!.call('2', 'append_entries', {}, `warm-${i}`)));
    for (const s of open) stale.add(s);
    expect(transport.reconnect()).toBe(3);
    // With a stale socket reused, this would wait the whole 5 s timeout and fail.
    await expect(transport.call('2', 'append_entries', {}, 'a')).resolves.toEqual({ term: 1, success: true });
  });

  it('after a timeout the other idle connections to that peer are not reused: the next call connects afresh', async () => {
    // A peer that moved (a container on a new network): its old kept-alive connections hang,
    // a new connection is answered.
    const open = new Set<Socket>();
    const stale = new Set<Socket>();
    const port = await peerWithStaleConnections(open, stale);
    transport = new Transport('1', [{ id: '2', url: `http://127.0.0.1:${port}` }], 300);
    await Promise.all([1, 2, 3, 4].map((i) => transport!.call('2', 'append_entries', {}, `warm-${i}`)));
    expect(open.size).toBe(4); // four kept-alive connections in the pool
    for (const s of open) stale.add(s);

    const first = await transport.call('2', 'append_entries', {}, 'a').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RpcFailure);
    expect((first as RpcFailure).reason).toBe('timed_out');
    // Had the idle ones been kept, this call would take the next stale socket and time out too.
    await expect(transport.call('2', 'append_entries', {}, 'b')).resolves.toEqual({ term: 1, success: true });
  });
});
