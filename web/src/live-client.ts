// The lab's live channel (ws /api/live) with resume: after a dropped connection the client
// reconnects with backoff and asks for everything after the last seq it saw, so the
// timeline and history have no holes; duplicates from the replay are dropped here.
import type { LiveChannelMessage as LiveMessage } from '../../server/contract/live.ts';

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The part of the WebSocket API the client uses (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface LiveClientOptions {
  url: string;
  onMessage: (msg: LiveMessage) => void;
  onStatus?: (status: LiveStatus) => void;
  createSocket?: (url: string) => SocketLike;
  /** Delay before reconnect attempt n (1-based). */
  backoffMs?: (attempt: number) => number;
  /**
   * A connection that has been silent this long is treated as dead (the lab sends snapshots every
   * 200 ms), so a stopped or hung lab shows as such within about a second. Default 1000.
   */
  staleMs?: number;
}

const OPEN = 1;

export function liveUrl(loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/live`;
}

export class LiveClient {
  /** The newest seq delivered; what a reconnect resumes from. */
  lastSeq: number | null = null;
  status: LiveStatus = 'closed';
  private socket: SocketLike | null = null;
  private attempts = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private staleTimer: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;

  constructor(private readonly opts: LiveClientOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect('connecting');
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.onerror = null;
      s.close();
    }
    this.setStatus('closed');
  }

  private connect(status: LiveStatus): void {
    this.setStatus(status);
    const create = this.opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = create(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      if (this.lastSeq !== null) socket.send(JSON.stringify({ type: 'resume', seq: this.lastSeq }));
      this.setStatus('open');
      this.armStaleTimer();
    };
    socket.onmessage = (ev) => {
      // Hundreds of events a second arrive here: note the time, let one interval judge staleness.
      this.lastMessageAt = Date.now();
      this.receive(ev.data);
    };
    socket.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
  }

  private receive(data: unknown): void {
    let msg: LiveMessage;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : String(data)) as LiveMessage;
    } catch {
      return; // Not ours to show; a broken frame must not stop the picture.
    }
    if (typeof msg?.seq !== 'number') return;
    if (msg.type === 'hello') {
      // A hello may come before the replay of what we missed, so it does not move the resume
      // point forward, except on the very first connection.
      if (this.lastSeq === null) this.lastSeq = msg.seq;
      this.opts.onMessage(msg);
      return;
    }
    if (this.lastSeq !== null && msg.seq <= this.lastSeq) return;
    this.lastSeq = msg.seq;
    this.opts.onMessage(msg);
  }

  private scheduleReconnect(): void {
    this.clearTimers();
    if (this.stopped) return;
    this.setStatus('reconnecting');
    this.attempts += 1;
    const delay = (this.opts.backoffMs ?? defaultBackoff)(this.attempts);
    this.retryTimer = setTimeout(() => this.connect('reconnecting'), delay);
  }

  private armStaleTimer(): void {
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = null;
    const staleMs = this.opts.staleMs ?? 1000;
    if (staleMs <= 0) return;
    this.lastMessageAt = Date.now();
    const every = Math.max(50, staleMs / 4);
    let lastTick = Date.now();
    this.staleTimer = setInterval(() => {
      const now = Date.now();
      // This tick came late: our own page was busy (a long task, a background tab), so the
      // messages that arrived meanwhile are not read yet. Silence is judged from now on.
      if (now - lastTick > 2 * every) this.lastMessageAt = now;
      lastTick = now;
      const s = this.socket;
      if (!s || s.readyState !== OPEN || now - this.lastMessageAt < staleMs) return;
      this.socket = null;
      s.onclose = null;
      s.close();
      this.scheduleReconnect();
    }, every);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.retryTimer = null;
    this.staleTimer = null;
  }

  private setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }
}

function defaultBackoff(attempt: number): number {
  return Math.min(5000, 250 * 2 ** (attempt - 1));
}
