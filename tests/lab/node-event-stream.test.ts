// The lab's reader of a node's events across a cut connection (issue 9): the stream is cut
// mid-run while the node keeps committing, the reader reconnects with Last-Event-ID, and the
// lab's sequence of events equals the node's own, none lost and none twice.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeEvent } from '../../server/contract/node-events.ts';
import { NodeEventStream } from '../../server/lab/live/node-events.ts';
import { serverSentEvents } from '../../server/lab/live/server-sent-events.ts';
import { type InProcessNode, startInProcessNode } from '../support/in-process-node.ts';
import { waitFor } from '../support/wait-for.ts';

const NODE_PORT = 15171;
const PROXY_PORT = 15172;

let n: InProcessNode;
/** A TCP proxy between the lab's reader and the node: `cut()` drops every connection through it. */
let proxy: net.Server;
const open = new Set<net.Socket>();
let connections = 0;
const cut = () => {
  for (const s of open) s.destroy();
};

async function command(text: string): Promise<void> {
  const res = await fetch(`${n.url}/client_command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: text }),
  });
  expect(res.status).toBe(200);
}

/** The node's own record: every event it still keeps, read from the start (Last-Event-ID 0). */
async function nodeSequence(upTo: number): Promise<NodeEvent[]> {
  const ctrl = new AbortController();
  const res = await fetch(`${n.url}/events`, { headers: { 'last-event-id': '0' }, signal: ctrl.signal });
  const all: NodeEvent[] = [];
  for await (const ev of serverSentEvents(res.body!)) {
    all.push(JSON.parse(ev.data) as NodeEvent);
    if (all.at(-1)!.seq >= upTo) break;
  }
  ctrl.abort();
  return all;
}

beforeAll(async () => {
  // A cluster of one: it elects itself and commits alone, so events come at the test's pace.
  n = await startInProcessNode({ NODE_ID: '1', PORT: String(NODE_PORT) });
  proxy = net.createServer((client) => {
    connections++;
    const upstream = net.connect(NODE_PORT, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(PROXY_PORT, '127.0.0.1', () => resolve()));
  await waitFor('the node to lead itself', () => n.node.role === 'leader', { timeoutMs: 10_000 });
});

afterAll(async () => {
  cut();
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await n?.stop();
});

describe("the lab's reader of a node's events", () => {
  it('loses no event when the stream is cut mid-run: it resumes with Last-Event-ID', async () => {
    const got: NodeEvent[] = [];
    const stream = new NodeEventStream(`http://127.0.0.1:${PROXY_PORT}`, (e) => got.push(e));
    stream.start();
    try {
      await command('set a=0');
      await waitFor('the first commit to reach the lab', () => got.some((e) => e.type === 'commit'));
      for (let round = 1; round <= 3; round++) {
        // Cut, and commit while the reader is away (it waits 500 ms before reconnecting).
        cut();
        for (let i = 0; i < 5; i++) await command(`set a=${round * 10 + i}`);
        const last = n.node.status().commit_index;
        await waitFor(
          `commit ${last} to reach the lab after cut ${round}`,
          () => got.some((e) => e.type === 'commit' && e.commit_index === last),
          { timeoutMs: 10_000 },
        );
      }
    } finally {
      stream.stop();
    }
    expect(connections).toBeGreaterThanOrEqual(4);
    // From the first event the reader saw (it joined after the election), the same sequence.
    const first = got[0]!.seq;
    const lastSeq = got.at(-1)!.seq;
    const theNode = (await nodeSequence(lastSeq)).filter((e) => e.seq >= first);
    expect(got.map((e) => `${e.seq} ${e.type}`)).toEqual(theNode.map((e) => `${e.seq} ${e.type}`));
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq - first + 1 }, (_, i) => first + i));
  });
});
