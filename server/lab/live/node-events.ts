// Follows one node's `GET /events` (server-sent events) and hands each event on. Reconnects
// whenever the stream ends (the node was killed, restarted, or the network blinked).
import { eventStreamData } from './event-stream-data.ts';
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
        if (res.ok && res.body) for await (const data of eventStreamData(res.body)) this.dispatch(data);
      } catch {
        // Down, paused or restarting: try again shortly.
      }
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
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
