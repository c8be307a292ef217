// GET /events: what the node does, as server-sent events (server/contract/node-events.ts).
// Each event is one `data:` line of JSON with an `id:` of `<process>-<seq>`, so a client that
// reconnects with Last-Event-ID gets what it missed (from a bounded history) — and a client
// that last read an earlier process of this node (a restart) gets this process's events from
// its first one, instead of being told "nothing after seq N" by a process that restarted at 1.
// Cheap when nobody listens: the node asks `active` before building per-RPC events.
// A listener that cannot keep up gets a bounded queue, then is disconnected (it may reconnect).

import type { Request, Response } from 'express';
import type { NodeEvent, NodeEventBody } from '../contract/node-events.ts';
import type { RpcName } from '../contract/raft-rpc.ts';
import type { Message } from '../raft/types.ts';

/** The fields that name one message in every event about it (server/contract/node-events.ts). */
export function messageOf(m: Message, id: string, heartbeatReply = false) {
  const entries = m.type === 'append_entries' ? m.entries.length : 0;
  return {
    rpc: rpcNameOf(m),
    kind: m.type.endsWith('_response') ? 'response' : 'request',
    id,
    from: m.from,
    to: m.to,
    term: m.term,
    entries,
    heartbeat: m.type === 'append_entries' ? entries === 0 : heartbeatReply,
  } as const;
}

/**
 * The `rpc` event for a message sent or received; `heartbeatReply` marks the response to a
 * heartbeat, `delayMs` the link's delay on a send.
 */
export function rpcEventOf(
  dir: 'send' | 'recv',
  m: Message,
  id: string,
  heartbeatReply = false,
  delayMs = 0,
): NodeEventBody {
  return {
    type: 'rpc',
    dir,
    ...messageOf(m, id, heartbeatReply),
    result:
      m.type === 'request_vote_response' || m.type === 'pre_vote_response'
        ? m.voteGranted
        : m.type === 'append_entries_response'
          ? m.success
          : null,
    ...(delayMs > 0 ? { delay_ms: delayMs } : {}),
  };
}

/** The endpoint a message travels on (a response on its request's). */
function rpcNameOf(m: Message): RpcName {
  const t = m.type.replace(/_response$/, '');
  return t === 'request_vote' || t === 'pre_vote' || t === 'timeout_now' || t === 'install_snapshot'
    ? t
    : 'append_entries';
}

interface Listener {
  res: Response;
  queue: string[];
  congested: boolean;
}

export interface NodeEventsOptions {
  /** Events kept for clients that reconnect with Last-Event-ID. */
  history?: number;
  /** Events queued for one slow listener before it is disconnected. */
  maxQueued?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  keepAliveMs?: number;
}

export class NodeEvents {
  private seq = 0;
  /** Names this process in event ids (base-36 start time): ids of a restarted node differ. */
  private readonly processTag = Date.now().toString(36);
  private readonly listeners = new Set<Listener>();
  private readonly history: { seq: number; frame: string }[] = [];
  private readonly historySize: number;
  private readonly maxQueued: number;
  private readonly keepAlive: ReturnType<typeof setInterval>;

  constructor(
    private readonly nodeId: string,
    opts: NodeEventsOptions = {},
  ) {
    this.historySize = opts.history ?? 2000;
    this.maxQueued = opts.maxQueued ?? 5000;
    this.keepAlive = setInterval(() => {
      for (const l of this.listeners) this.write(l, ': keep-alive\n\n');
    }, opts.keepAliveMs ?? 15_000);
    this.keepAlive.unref?.();
  }

  /** True while someone listens; build high-volume events only then. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(body: NodeEventBody): void {
    const ev = { seq: ++this.seq, at: Date.now(), node_id: this.nodeId, ...body } as NodeEvent;
    const frame = `id: ${this.processTag}-${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`;
    this.history.push({ seq: ev.seq, frame });
    // Trim in chunks: amortized O(1) per event instead of shifting the array every time.
    if (this.history.length >= 2 * this.historySize)
      this.history.splice(0, this.history.length - this.historySize);
    for (const l of this.listeners) this.write(l, frame);
  }

  /** The express handler for GET /events. */
  readonly handler = (req: Request, res: Response): void => {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 1000\n\n');
    const l: Listener = { res, queue: [], congested: false };
    const after = this.replayAfter(req.get('last-event-id'));
    if (after !== null) {
      const from = this.history.length - this.historySize;
      for (const h of this.history.slice(Math.max(0, from))) if (h.seq > after) this.write(l, h.frame);
    }
    this.listeners.add(l);
    res.on('drain', () => {
      l.congested = false;
      while (l.queue.length > 0 && !l.congested) {
        l.congested = !res.write(l.queue.shift()!);
      }
    });
    res.on('close', () => this.listeners.delete(l));
  };

  /**
   * The seq after which to replay, for a Last-Event-ID: this process's own id → its seq; a bare
   * number (a hand-made request) → that seq; another process's id → 0 (everything kept).
   */
  private replayAfter(lastEventId: string | undefined): number | null {
    if (lastEventId === undefined) return null;
    const m = /^(?:([0-9a-z]+)-)?(\d{1,16})$/.exec(lastEventId.trim());
    if (!m) return null;
    return m[1] === undefined || m[1] === this.processTag ? Number(m[2]) : 0;
  }

  private write(l: Listener, frame: string): void {
    if (l.congested) {
      l.queue.push(frame);
      if (l.queue.length > this.maxQueued) {
        // Too far behind: drop it rather than grow without bound; it can reconnect.
        this.listeners.delete(l);
        l.res.destroy();
      }
      return;
    }
    l.congested = !l.res.write(frame);
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const l of this.listeners) l.res.end();
    this.listeners.clear();
  }
}
