// The live channel: hello for a new client, every message with an increasing seq, and resume
// after a reconnect (replaying what was missed), or a fresh hello when too far behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LIVE_BUFFER_SIZE } from '../../server/lab/live/live-hub.ts';
import { waitFor } from '../support/wait-for.ts';
import { FIXTURE_LESSONS, startTestLab, type TestLab } from './start-test-lab.ts';

let t: TestLab;
let wsBase: string;

interface Client {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** Resolves once `count` messages arrived (polling, with a timeout). */
  waitFor(count: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

function connect(path = '/api/live', first?: unknown): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase}${path}`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    ws.once('error', reject);
    ws.once('open', () => {
      if (first !== undefined) ws.send(JSON.stringify(first));
      resolve({
        ws,
        messages,
        waitFor: (count) =>
          waitFor(
            () => `${count} messages; got ${messages.length}: ${JSON.stringify(messages)}`,
            () => messages.length >= count && messages,
            { intervalMs: 10 },
          ),
        close: () =>
          new Promise<void>((r) => {
            ws.once('close', () => r());
            ws.close();
          }),
      });
    });
  });
}

const action = (text: string) => ({
  type: 'action' as const,
  text,
  ok: true,
  detail: text,
  source: 'panel' as const,
});

beforeAll(async () => {
  t = await startTestLab(FIXTURE_LESSONS, [16381, 16382, 16383]);
  wsBase = t.lab.url.replace('http://', 'ws://');
});

afterAll(async () => {
  await t?.stop();
});

describe('live channel', () => {
  it('greets a new client with hello (backend, nodes, snapshot), then sends messages with increasing seq', async () => {
    const c = await connect();
    const [hello] = await c.waitFor(1);
    expect(hello).toMatchObject({ type: 'hello', backend: 'remote', seq: t.session.hub.lastSeq });
    expect((hello!.nodes as unknown[]).length).toBe(3);
    expect((hello!.snapshot as { nodes: unknown[] }).nodes).toHaveLength(3);
    t.session.hub.publish(action('heal'));
    t.session.hub.publish(action('speed 1'));
    const got = await c.waitFor(3);
    expect(got.slice(1).map((m) => [m.type, m.text])).toEqual([
      ['action', 'heal'],
      ['action', 'speed 1'],
    ]);
    expect(got[2]!.seq).toBe((got[1]!.seq as number) + 1);
    await c.close();
  });

  it('replays what a reconnecting client missed, in order, without a hello', async () => {
    const c = await connect();
    await c.waitFor(1);
    t.session.hub.publish(action('one'));
    const seen = await c.waitFor(2);
    const last = seen[1]!.seq as number;
    await c.close();
    t.session.hub.publish(action('two'));
    t.session.hub.publish(action('three'));

    const again = await connect('/api/live', { type: 'resume', seq: last });
    const replay = await again.waitFor(2);
    expect(replay.map((m) => [m.type, m.text, m.seq])).toEqual([
      ['action', 'two', last + 1],
      ['action', 'three', last + 2],
    ]);
    t.session.hub.publish(action('four'));
    expect((await again.waitFor(3))[2]).toMatchObject({ text: 'four', seq: last + 3 });
    await again.close();

    const viaUrl = await connect(`/api/live?resume=${last + 2}`);
    expect((await viaUrl.waitFor(1))[0]).toMatchObject({ text: 'four' });
    await viaUrl.close();
  });

  it('sends a fresh hello to a client too far behind to resume', async () => {
    const c = await connect();
    await c.waitFor(1);
    const last = t.session.hub.lastSeq;
    await c.close();
    for (let i = 0; i <= LIVE_BUFFER_SIZE; i++) t.session.hub.publish(action(`a${i}`));
    const again = await connect('/api/live', { type: 'resume', seq: last });
    const [first] = await again.waitFor(1);
    expect(first).toMatchObject({ type: 'hello', seq: t.session.hub.lastSeq, resumed: false });
    await again.close();
  });

  it('answers nonsense with an error message and keeps the connection', async () => {
    const c = await connect();
    await c.waitFor(1);
    c.ws.send('not json');
    c.ws.send(JSON.stringify({ type: 'launch' }));
    const got = await c.waitFor(3);
    expect(got.slice(1).map((m) => m.error)).toEqual(['bad_json', 'unknown_message']);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
  });
});
