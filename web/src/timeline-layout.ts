// Turns relayed RPC events into a space-time (Lamport) diagram: one lane per node, time
// left to right, each message a line from the sender's lane at send time to the receiver's
// lane at receive time. Pure so it can be tested without a canvas.
import type { RpcEvent } from '../../server/contract/node-events.ts';
import type { RpcName } from '../../server/contract/raft-rpc.ts';

export interface TimelineMessage {
  key: string;
  rpc: RpcName;
  kind: 'request' | 'response';
  from: string;
  to: string;
  term: number;
  entries: number;
  heartbeat: boolean;
  result: boolean | null;
  sentAt: number | null;
  recvAt: number | null;
}

export interface Segment {
  key: string;
  rpc: RpcName;
  kind: 'request' | 'response';
  heartbeat: boolean;
  /** Sent but never received within `lostAfterMs`: the line stops halfway and ends in a cross. */
  lost: boolean;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label: string;
}

export interface LayoutOptions {
  now: number;
  windowMs: number;
  width: number;
  /** Lane centre y of each node id, top to bottom. */
  laneY: Map<string, number>;
  hideHeartbeats: boolean;
  lostAfterMs?: number;
}

/** An RPC slower than this is not one RPC (nodes give up on a peer after 1 s). */
const MAX_LATENCY_MS = 2000;

/** Pairs each send with its receive by (rpc, kind, id, from, to). */
export function pairMessages(events: readonly RpcEvent[]): TimelineMessage[] {
  return new MessagePairer().update(events, Number.NEGATIVE_INFINITY);
}

/**
 * Pairs incrementally: the timeline redraws ten times a second over thousands of events, so
 * each frame only looks at the events that arrived since the last one. Adding an event twice
 * is harmless (it sets the same time again).
 */
export class MessagePairer {
  private byKey = new Map<string, TimelineMessage>();
  private heartbeatRequests = new Set<string>();
  private last: RpcEvent | null = null;

  /** `events` grows at the end and is trimmed at the front; messages older than `dropBefore` are forgotten. */
  update(events: readonly RpcEvent[], dropBefore: number): TimelineMessage[] {
    const from = this.last ? events.lastIndexOf(this.last) + 1 : 0;
    for (let i = from; i < events.length; i++) this.add(events[i]);
    this.last = events.at(-1) ?? this.last;
    for (const [key, m] of this.byKey) {
      if ((m.recvAt ?? m.sentAt ?? 0) < dropBefore) {
        this.byKey.delete(key);
        this.heartbeatRequests.delete(key);
      }
    }
    return [...this.byKey.values()];
  }

  private sameMessage(m: TimelineMessage, ev: RpcEvent): boolean {
    if (
      ev.dir === 'send' ? m.sentAt !== null && m.sentAt !== ev.at : m.recvAt !== null && m.recvAt !== ev.at
    ) {
      return false;
    }
    const other = ev.dir === 'send' ? m.recvAt : m.sentAt;
    return other === null || Math.abs(ev.at - other) <= MAX_LATENCY_MS;
  }

  private add(ev: RpcEvent): void {
    const { id, from, to } = ev;
    const key = `${ev.rpc}|${ev.kind}|${id}|${from}|${to}`;
    let m = this.byKey.get(key);
    if (m && !this.sameMessage(m, ev)) {
      // A restarted node numbers its RPCs from 1 again: this is a new message with an old id.
      this.byKey.delete(key);
      this.byKey.set(`${key}#${m.sentAt ?? m.recvAt}`, m);
      m = undefined;
    }
    if (!m) {
      m = {
        key,
        rpc: ev.rpc,
        kind: ev.kind,
        from,
        to,
        term: ev.term,
        entries: ev.entries,
        heartbeat: false,
        result: ev.result ?? null,
        sentAt: null,
        recvAt: null,
      };
      this.byKey.set(key, m);
      // A response to a heartbeat is part of the heartbeat, whichever of the two came first.
      if (ev.rpc === 'append_entries' && ev.kind === 'response') {
        if (this.heartbeatRequests.has(`append_entries|request|${id}|${to}|${from}`)) m.heartbeat = true;
      }
    }
    if (ev.dir === 'send') m.sentAt = ev.at;
    else m.recvAt = ev.at;
    if (ev.result != null) m.result = ev.result;
    const isHeartbeat =
      ev.rpc === 'append_entries' && (ev.heartbeat === true || (ev.kind === 'request' && ev.entries === 0));
    if (isHeartbeat && !m.heartbeat) {
      m.heartbeat = true;
      if (ev.kind === 'request') {
        this.heartbeatRequests.add(key);
        const response = this.byKey.get(`append_entries|response|${id}|${to}|${from}`);
        if (response) response.heartbeat = true;
      }
    }
  }
}

export function layoutTimeline(messages: readonly TimelineMessage[], o: LayoutOptions): Segment[] {
  const start = o.now - o.windowMs;
  const lostAfter = o.lostAfterMs ?? 1000;
  const x = (t: number) => ((t - start) / o.windowMs) * o.width;
  const out: Segment[] = [];
  for (const m of messages) {
    if (o.hideHeartbeats && m.heartbeat) continue;
    const y1 = o.laneY.get(m.from);
    const y2 = o.laneY.get(m.to);
    if (y1 === undefined || y2 === undefined) continue;
    const sent = m.sentAt ?? m.recvAt;
    if (sent === null) continue;
    let recv = m.recvAt;
    let lost = false;
    if (recv === null) {
      if (o.now - sent < lostAfter) continue; // still in flight; drawn once it lands or is lost
      lost = true;
      recv = sent + lostAfter / 2;
    }
    if (Math.max(sent, recv) < start || sent > o.now) continue;
    out.push({
      key: m.key,
      rpc: m.rpc,
      kind: m.kind,
      heartbeat: m.heartbeat,
      lost,
      x1: x(sent),
      y1,
      x2: x(recv),
      y2: lost ? (y1 + y2) / 2 : y2,
      label: labelOf(m),
    });
  }
  return out;
}

/** Short text drawn beside a message, so the kind is told by text and not only by colour. */
export function labelOf(m: TimelineMessage): string {
  if (m.rpc === 'request_vote') {
    if (m.kind === 'request') return `RV t${m.term}`;
    return m.result === true ? 'vote ✓' : m.result === false ? 'vote ✗' : 'vote';
  }
  // Dissertation §9.6: "could I win term t?" — no term changes anywhere.
  if (m.rpc === 'pre_vote') {
    if (m.kind === 'request') return `PV t${m.term}`;
    return m.result === true ? 'pre ✓' : m.result === false ? 'pre ✗' : 'pre';
  }
  if (m.rpc === 'timeout_now') return m.kind === 'request' ? 'TimeoutNow' : 'TN ✓';
  if (m.kind === 'request') return m.heartbeat ? 'HB' : `AE t${m.term} +${m.entries}`;
  return m.result === false ? 'AE ✗' : 'AE ✓';
}

/** Evenly spaced lane centres for `ids`, top to bottom. */
export function laneLayout(ids: readonly string[], height: number, padding = 14): Map<string, number> {
  const lanes = new Map<string, number>();
  const n = ids.length;
  if (n === 0) return lanes;
  const step = n === 1 ? 0 : (height - 2 * padding) / (n - 1);
  ids.forEach((id, i) => {
    lanes.set(id, n === 1 ? height / 2 : padding + i * step);
  });
  return lanes;
}
