// Everything the picture knows about the cluster's past, indexed for "what was true at time T":
// node events (by node and kind), message exchanges, status samples, the learner's actions and
// resets. Fed by the live channel (and the lab's recording, GET /api/trace) or by a trace file
// for a replay; bounded (the oldest go first). Pure: no DOM, so tests and the replay share it.
import type { ClusterNode, ClusterSnapshot } from '../../../server/contract/cluster-view.ts';
import type { ElectionTimerEvent, MessageEvent, NodeEvent } from '../../../server/contract/node-events.ts';
import type { Trace, TraceAction } from '../../../server/contract/trace.ts';
import { applyEvent, belongsTo, type MessageRecord, newRecord } from './message-record.ts';

/** A role/term/leader/commit change of one node. */
export type StateChange = Extract<NodeEvent, { type: 'state' | 'term' | 'commit' }>;
/** A vote a node granted (it sent a reply with vote_granted) or received. */
export interface Vote {
  at: number;
  term: number;
  /** The other node: the candidate it voted for, or the voter. */
  peer: string;
  granted: boolean;
}

/** One node's events, each list in time order. */
export interface NodeHistory {
  changes: StateChange[];
  timers: ElectionTimerEvent[];
  heartbeats: number[];
  votesGranted: Vote[];
  votesReceived: Vote[];
}

export interface StoreOptions {
  /** Events kept before the oldest are dropped. */
  maxEvents?: number;
  maxSamples?: number;
}

const isMessageEvent = (e: NodeEvent): e is MessageEvent =>
  e.type === 'rpc' || e.type === 'rpc_held' || e.type === 'rpc_lost';

/** The index of the first item whose time is >= t (items sorted by time). */
export function firstAtOrAfter<T>(items: readonly T[], t: number, at: (x: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(items[mid]!) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last item at or before t, or undefined. */
export function lastAtOrBefore<T>(items: readonly T[], t: number, at: (x: T) => number): T | undefined {
  return items[firstAtOrAfter(items, t + 0.001, at) - 1];
}

export class HistoryStore {
  nodes: ClusterNode[] = [];
  /** Message exchanges, by start time. */
  readonly messages: MessageRecord[] = [];
  /** Those that waited in an outbox (few; scanned whole). */
  readonly held: MessageRecord[] = [];
  readonly samples: ClusterSnapshot[] = [];
  readonly actions: TraceAction[] = [];
  readonly resets: number[] = [];
  /** Event id → when and where, for jumping to an event. */
  readonly eventTimes = new Map<string, { at: number; node: string }>();
  /** Every event seen, oldest first (what a trace of this store would hold). */
  readonly events: { id: string | null; n: number | null; event: NodeEvent }[] = [];
  private readonly byNode = new Map<string, NodeHistory>();
  private readonly latest = new Map<string, MessageRecord>();
  private readonly seen = new Set<string | number>();
  private keySeq = 0;
  private readonly maxEvents: number;
  private readonly maxSamples: number;
  /** Bumped on every change: views redraw only when it moved. */
  version = 0;

  constructor(opts: StoreOptions = {}) {
    this.maxEvents = opts.maxEvents ?? 150_000;
    this.maxSamples = opts.maxSamples ?? 2000;
  }

  /** A read-only store holding a trace file's run. */
  static fromTrace(trace: Trace): HistoryStore {
    const s = new HistoryStore({ maxEvents: Number.POSITIVE_INFINITY, maxSamples: Number.POSITIVE_INFINITY });
    s.nodes = trace.nodes;
    for (const e of trace.events) s.addEvent(e.event, e.id, e.n);
    for (const x of trace.samples) s.addSample(x);
    for (const a of trace.actions) s.addAction(a);
    for (const r of trace.resets) s.addReset(r);
    return s;
  }

  /** The earliest and latest moments known (null when empty). */
  span(): { from: number; to: number } | null {
    const first = Math.min(this.events[0]?.event.at ?? Infinity, this.samples[0]?.at ?? Infinity);
    const last = Math.max(this.events.at(-1)?.event.at ?? -Infinity, this.samples.at(-1)?.at ?? -Infinity);
    return Number.isFinite(first) && Number.isFinite(last) ? { from: first, to: last } : null;
  }

  node(id: string): NodeHistory {
    let h = this.byNode.get(id);
    if (!h) {
      h = { changes: [], timers: [], heartbeats: [], votesGranted: [], votesReceived: [] };
      this.byNode.set(id, h);
    }
    return h;
  }

  /**
   * Adds one node event; `n` (the lab's recording number) or `id` makes a repeat harmless.
   * Returns false for a repeat.
   */
  addEvent(event: NodeEvent, id: string | null = null, n: number | null = null): boolean {
    const key = n ?? id;
    if (key !== null) {
      if (this.seen.has(key)) return false;
      this.seen.add(key);
    }
    this.events.push({ id, n, event });
    if (id !== null) this.eventTimes.set(id, { at: event.at, node: event.node_id });
    const h = this.node(event.node_id);
    switch (event.type) {
      case 'state':
      case 'term':
      case 'commit':
        insertByTime(h.changes, event, (e) => e.at);
        break;
      case 'election_timer':
        insertByTime(h.timers, event, (e) => e.at);
        break;
      case 'heartbeat':
        insertByTime(h.heartbeats, event.at, (t) => t);
        break;
      default:
        if (isMessageEvent(event)) this.addMessageEvent(event, id);
    }
    this.version++;
    if (this.events.length > this.maxEvents * 1.2)
      this.forgetBefore(this.events[this.events.length - this.maxEvents]!.event.at);
    return true;
  }

  addSample(s: ClusterSnapshot): void {
    insertByTime(this.samples, s, (x) => x.at);
    if (this.nodes.length === 0) this.nodes = s.nodes.map(({ id, name, url }) => ({ id, name, url }));
    if (this.samples.length > this.maxSamples * 1.2)
      this.samples.splice(0, this.samples.length - this.maxSamples);
    this.version++;
  }

  addAction(a: TraceAction): void {
    insertByTime(this.actions, a, (x) => x.at);
    this.version++;
  }

  addReset(at: number): void {
    insertByTime(this.resets, at, (t) => t);
    this.version++;
  }

  /** The status sample at or before t. */
  sampleAt(t: number): ClusterSnapshot | undefined {
    return lastAtOrBefore(this.samples, t, (s) => s.at);
  }

  /** Messages that started in [from, to], by start time. */
  messagesBetween(from: number, to: number): MessageRecord[] {
    const i = firstAtOrAfter(this.messages, from, (m) => m.start);
    const out: MessageRecord[] = [];
    for (let k = i; k < this.messages.length && this.messages[k]!.start <= to; k++)
      out.push(this.messages[k]!);
    return out;
  }

  /** The message a node's event id belongs to. */
  messageByEventId(eventId: string): MessageRecord | undefined {
    const where = this.eventTimes.get(eventId);
    if (!where) return undefined;
    return this.messagesBetween(where.at - 15_000, where.at + 1).find((m) => m.eventIds.includes(eventId));
  }

  private addMessageEvent(ev: MessageEvent, eventId: string | null): void {
    const h = this.node(ev.node_id);
    if (ev.type === 'rpc' && ev.rpc === 'request_vote' && ev.kind === 'response' && ev.result !== null) {
      // The voter's send and the candidate's receipt of a vote.
      if (ev.dir === 'send')
        h.votesGranted.push({ at: ev.at, term: ev.term, peer: ev.to, granted: ev.result });
      else h.votesReceived.push({ at: ev.at, term: ev.term, peer: ev.from, granted: ev.result });
    }
    const sender = ev.kind === 'request' ? ev.from : ev.to;
    const slot = `${sender}|${ev.id}`;
    let r = this.latest.get(slot);
    if (!r || !belongsTo(r, ev)) {
      r = newRecord(`${slot}#${++this.keySeq}`, ev);
      this.latest.set(slot, r);
      insertByTime(this.messages, r, (m) => m.start);
    }
    const before = r.start;
    applyEvent(r, ev, eventId);
    if (r.start < before) {
      // An earlier event of it arrived late (another node's stream): keep the order by start.
      this.messages.splice(this.messages.indexOf(r), 1);
      insertByTime(this.messages, r, (m) => m.start);
    }
    if (ev.type === 'rpc_held') this.held.push(r);
  }

  /** Drops everything before t (the store's bound). */
  private forgetBefore(t: number): void {
    const cut = <T>(list: T[], at: (x: T) => number) => list.splice(0, firstAtOrAfter(list, t, at));
    for (const e of cut(this.events, (x) => x.event.at)) this.seen.delete(e.n ?? e.id ?? '');
    const gone = cut(this.messages, (m) => m.start);
    for (const m of gone) {
      if (this.latest.get(`${m.from}|${m.id}`) === m) this.latest.delete(`${m.from}|${m.id}`);
      for (const id of m.eventIds) this.eventTimes.delete(id);
    }
    const keepHeld = this.held.filter((m) => m.start >= t);
    this.held.splice(0, this.held.length, ...keepHeld);
    for (const h of this.byNode.values()) {
      cut(h.changes, (e) => e.at);
      cut(h.timers, (e) => e.at);
      cut(h.heartbeats, (x) => x);
      cut(h.votesGranted, (v) => v.at);
      cut(h.votesReceived, (v) => v.at);
    }
    for (const [id, where] of this.eventTimes) if (where.at < t) this.eventTimes.delete(id);
  }
}

/** Appends in time order; an item that arrived late (another stream) is put in its place. */
function insertByTime<T>(list: T[], item: T, at: (x: T) => number): void {
  const t = at(item);
  let i = list.length;
  while (i > 0 && at(list[i - 1]!) > t) i--;
  if (i === list.length) list.push(item);
  else list.splice(i, 0, item);
}
