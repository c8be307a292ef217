// Follows one node's `GET /events` (server-sent events) and hands each event on. Reconnects
// whenever the stream ends (the node was killed, restarted, or the network blinked).
import type { NodeEvent } from './live-messages.ts';

const RECONNECT_MS = 500;

export class NodeEventStream {
  private abort: AbortController | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly onEvent: (event: NodeEvent) => void,
  ) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.abort = new AbortController();
      try {
        const res = await fetch(`${this.url}/events`, {
          headers: { accept: 'text/event-stream' },
          signal: this.abort.signal,
        });
        if (res.ok && res.body) await this.read(res.body);
      } catch {
        // Down, paused or restarting: try again shortly.
      }
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let pending = '';
    let data: string[] = [];
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        if (line === '') {
          if (data.length > 0) this.dispatch(data.join('\n'));
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
        nl = pending.indexOf('\n');
      }
    }
  }

  private dispatch(text: string): void {
    try {
      const event = JSON.parse(text) as NodeEvent;
      if (typeof event === 'object' && event !== null) this.onEvent(event);
    } catch {
      // Not JSON: not an event we understand.
    }
  }
}
