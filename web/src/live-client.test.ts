import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { LiveChannelMessage as LiveMessage } from '../../server/contract/live.ts';
import { waitFor } from '../../tests/support/wait-for.ts';
import { LiveClient, type LiveStatus, type SocketLike } from './live-client.ts';

// A real WebSocket server speaking the lab's live protocol (docs/lab-api.md): numbered
// messages, a buffer to replay on `resume`, a fresh hello for a client too far behind.
const PORT = 17111;

class FakeLab {
  wss = new WebSocketServer({ port: PORT, host: '127.0.0.1' });
  seq = 0;
  buffer: { seq: number; text: string }[] = [];
  resumes: number[] = [];
  /** Oldest seq still buffered; older resumes get a fresh hello. */
  keepFrom = 0;

  constructor() {
    this.wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; seq: number };
        if (msg.type !== 'resume') return;
        this.resumes.push(msg.seq);
        if (msg.seq < this.keepFrom) ws.send(this.hello());
        else for (const b of this.buffer.filter((b) => b.seq > msg.seq)) ws.send(b.text);
      });
    });
  }

  hello(): string {
    return JSON.stringify({ seq: this.seq, type: 'hello', backend: 'local', nodes: [], snapshot: null });
  }

  broadcast(n = 1): void {
    for (let i = 0; i < n; i++) {
      this.seq += 1;
      const text = JSON.stringify({
        seq: this.seq,
        type: 'action',
        text: `a${this.seq}`,
        ok: true,
        detail: '',
        source: 'panel',
      });
      this.buffer.push({ seq: this.seq, text });
      for (const c of this.wss.clients) c.send(text);
    }
  }

  dropClients(): void {
    for (const c of this.wss.clients) c.terminate();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

let lab: FakeLab | null = null;
let client: LiveClient | null = null;

afterEach(async () => {
  client?.stop();
  await lab?.close();
  client = null;
  lab = null;
});

function connect(received: LiveMessage[], statuses: LiveStatus[] = []): LiveClient {
  const c = new LiveClient({
    url: `ws://127.0.0.1:${PORT}/api/live`,
    onMessage: (m) => received.push(m),
    onStatus: (s) => statuses.push(s),
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    backoffMs: () => 20,
    staleMs: 0,
  });
  c.start();
  return c;
}

/** A fake lab and a client connected to it; what the client receives lands in `got`. */
async function connected(
  statuses: LiveStatus[] = [],
): Promise<{ lab: FakeLab; got: LiveMessage[]; client: LiveClient }> {
  const fake = new FakeLab();
  lab = fake;
  await once(fake.wss, 'listening');
  const got: LiveMessage[] = [];
  const c = connect(got, statuses);
  client = c;
  await waitFor('the first connection', () => fake.wss.clients.size === 1);
  return { lab: fake, got, client: c };
}

describe('LiveClient', () => {
  it('after a dropped connection, resumes from the last seq and delivers the missed messages once', async () => {
    const { lab, got } = await connected();
    lab.broadcast(3);
    await waitFor('three messages', () => got.length === 3);

    lab.dropClients();
    lab.broadcast(2); // sent while the client is away: only in the buffer
    await waitFor('a resume request', () => lab!.resumes.length === 1);
    expect(lab.resumes).toEqual([3]);
    await waitFor('the two missed messages', () => got.length === 5);
    lab.broadcast(1);
    await waitFor('a live message after the replay', () => got.length === 6);
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drops a replayed message it has already seen', async () => {
    const { lab, got } = await connected();
    lab.broadcast(2);
    await waitFor('two messages', () => got.length === 2);
    // The server replays everything again (as a buggy or conservative server might).
    for (const c of lab.wss.clients) for (const b of lab.buffer) c.send(b.text);
    lab.broadcast(1);
    await waitFor('the next live message', () => got.length >= 3);
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('accepts a fresh hello when it was too far behind, and carries on from there', async () => {
    const statuses: LiveStatus[] = [];
    const { lab, got, client } = await connected(statuses);
    lab.broadcast(1);
    await waitFor('one message', () => got.length === 1);
    lab.keepFrom = 100; // the buffer no longer reaches back to seq 1
    lab.dropClients();
    await waitFor('a fresh hello', () => got.some((m) => m.type === 'hello'));
    lab.broadcast(1);
    await waitFor('a live message after the hello', () => got.length === 3);
    expect(got.map((m) => m.type)).toEqual(['action', 'hello', 'action']);
    expect(statuses).toContain('reconnecting');
    expect(client.status).toBe('open');
  });

  it('treats a connection that stays silent as dead and connects again', async () => {
    lab = new FakeLab();
    await once(lab.wss, 'listening');
    let connections = 0;
    lab.wss.on('connection', () => connections++);
    client = new LiveClient({
      url: `ws://127.0.0.1:${PORT}/api/live`,
      onMessage: () => {},
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      backoffMs: () => 20,
      staleMs: 200,
    });
    client.start();
    await waitFor('a second connection after the first fell silent', () => connections >= 2);
  });

  it('says "reconnecting" while the lab is down and "open" once it is back', async () => {
    const statuses: LiveStatus[] = [];
    client = connect([], statuses);
    await waitFor('reconnecting', () => statuses.includes('reconnecting'));
    lab = new FakeLab();
    await once(lab.wss, 'listening');
    await waitFor('the connection to open', () => client!.status === 'open');
    expect(statuses[0]).toBe('connecting');
  });
});
