import type { LiveBody, LiveMessage } from '../../contract/live.ts';
// The live stream of one cluster session: numbers every message, keeps the newest few
// thousand for clients that reconnect, and hands each to the current listeners.

export const LIVE_BUFFER_SIZE = 5000;

export type LiveListener = (message: LiveMessage) => void;

export class LiveHub {
  private seq = 0;
  private readonly buffer: LiveMessage[] = [];
  private readonly listeners = new Set<LiveListener>();

  constructor(private readonly capacity = LIVE_BUFFER_SIZE) {}

  get lastSeq(): number {
    return this.seq;
  }

  publish(body: LiveBody): LiveMessage {
    const message = { ...body, seq: ++this.seq } as LiveMessage;
    this.buffer.push(message);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (e) {
        console.error('live listener failed:', e);
      }
    }
    return message;
  }

  /** Every buffered message after `seq`, or null when some of them are no longer buffered. */
  since(seq: number): LiveMessage[] | null {
    if (seq > this.seq || seq < 0) return null;
    const oldest = this.buffer[0]?.seq ?? this.seq + 1;
    if (seq + 1 < oldest) return null;
    return this.buffer.filter((m) => m.seq > seq);
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
