// GET /events (server/node/events.ts) on a real HTTP server: replay after a reconnect, and a
// listener that stops reading is cut off instead of growing the node's memory without bound.

import type { Server } from 'node:http';
import net from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeEvents } from '../../server/node/events.ts';
import { waitFor } from '../support/wait-for.ts';
import { readEvents } from './cluster-fixture.ts';

const PORT = 15140;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(events: NodeEvents): Promise<string> {
  const app = express();
  app.get('/events', events.handler);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(PORT, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        events.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${PORT}`;
}

describe('node event stream', () => {
  it('numbers events and replays what a reconnecting client missed (Last-Event-ID)', async () => {
    const events = new NodeEvents('7', { history: 100 });
    const url = await serve(events);
    for (let i = 1; i <= 5; i++) events.emit({ type: 'commit', commit_index: i });
    const res = await fetch(`${url}/events`, {
      headers: { 'last-event-id': '3' },
      signal: AbortSignal.timeout(5000),
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"seq":5')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const seqs = [...text.matchAll(/"seq":(\d+)/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual([4, 5]);
    expect(text).toContain('"node_id":"7"');
  });

  it('delivers live events to a listener and reports when someone listens', async () => {
    const events = new NodeEvents('1');
    const url = await serve(events);
    expect(events.active).toBe(false);
    const got = await readEvents(
      url,
      (e) => e.some((x) => x.type === 'admin'),
      5000,
      async () => {
        events.emit({ type: 'admin', action: 'heal', detail: 'every cut removed' });
      },
    );
    expect(got.at(-1)).toMatchObject({ type: 'admin', action: 'heal', node_id: '1' });
  });

  it('disconnects a listener that stops reading once its queue is full', async () => {
    const events = new NodeEvents('1', { maxQueued: 50 });
    await serve(events);
    const sock = net.connect(PORT, '127.0.0.1');
    cleanups.push(() => {
      sock.destroy();
    });
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    sock.pause(); // never read: the kernel buffers fill, then the node's queue
    await waitFor('the listener to register', () => events.listenerCount === 1);
    const big = 'x'.repeat(64 * 1024);
    await waitFor(
      'the slow listener to be dropped',
      () => {
        for (let i = 0; i < 20; i++) events.emit({ type: 'admin', action: 'speed', detail: big });
        return events.listenerCount === 0;
      },
      { timeoutMs: 10_000 },
    );
    expect(events.active).toBe(false);
  });
});
