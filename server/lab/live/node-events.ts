// Follows one node's `GET /events` (server-sent events) and hands each event on. Reconnects
// whenever the stream ends (the node was killed, restarted, or the network blinked), sending
// the last event id it got (Last-Event-ID) so the node replays what happened in between:
// no event is lost while the node is up. A restarted node answers with its new process's
// events from the start (the id names the process, server/node/events.ts).
import { type NodeEvent, NodeEventSchema } from '../../contract/node-events.ts';
import { matches } from '../../contract/wire-check.ts';
import { serverSentEvents } from './server-sent-events.ts';

const RECONNECT_MS = 500;
/**
 * A node sends a keep-alive comment every 15 s. A stream silent for longer is dead without
 * saying so (e.g. Docker moved the node to another network for a partition): reconnect.
 */
const IDLE_MS = 20_000;

export class NodeEventStream {
  private abort: AbortController | null = null;
  private stopped = false;
  /** The id of the last event handed on; sent as Last-Event-ID on every reconnect. */
  private lastEventId: string | null = null;

  constructor(
    private readonly url: string,
    /** Each event with the node's SSE id (null when the node sent none). */
    private readonly onEvent: (event: NodeEvent, id: string | null) => void,
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
          headers: {
            accept: 'text/event-stream',
            ...(this.lastEventId === null ? {} : { 'last-event-id': this.lastEventId }),
          },
          signal: this.abort.signal,
        });
        if (res.ok && res.body) {
          for await (const ev of serverSentEvents(res.body.pipeThrough(this.idleWatch(this.abort)))) {
            this.dispatch(ev.data, ev.id ?? null);
            if (ev.id !== undefined) this.lastEventId = ev.id;
          }
        }
      } catch {
        // Down, paused or restarting: try again shortly.
      }
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  /** Passes bytes through; aborts the stream when none came for IDLE_MS. */
  private idleWatch(abort: AbortController): TransformStream<Uint8Array, Uint8Array> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(), IDLE_MS);
    };
    arm();
    abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    return new TransformStream({
      transform(chunk, controller) {
        arm();
        controller.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
      },
    });
  }

  private dispatch(text: string, id: string | null): void {
    try {
      const event: unknown = JSON.parse(text);
      // Only what the contract calls a node event is relayed to browsers.
      if (matches(NodeEventSchema, event)) this.onEvent(event, id);
    } catch {
      // Not JSON: not an event we understand.
    }
  }
}
