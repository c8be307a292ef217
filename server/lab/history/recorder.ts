// The lab's recording of one cluster's run: every node event it relays (with the node's own
// event id), the status samples the poller takes, the learner's cluster actions, and when the
// cluster was reset. Bounded: the oldest go first. The picture's time travel, the trace export
// (GET /api/trace) and the history checks (`dropped request_vote >= 1`) all read it.

import type { BackendKind, ClusterNode, ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { NodeEvent } from '../../contract/node-events.ts';
import { TRACE_FORMAT, type Trace, type TraceAction, type TraceEvent } from '../../contract/trace.ts';
import { trimLogs } from '../cluster/snapshot.ts';

export interface RecorderOptions {
  /** Events kept (about 6 minutes of a busy five-node cluster at 600 events/s). */
  maxEvents?: number;
  /** Status samples kept (10 minutes at the poller's 5 a second). */
  maxSamples?: number;
}

/** A sample keeps the newest entries of each log: enough for the log strips and most checks. */
export const SAMPLE_LOG_ENTRIES = 50;
const MAX_ACTIONS = 2000;
const MAX_RESETS = 100;

export class RunRecorder {
  private events: TraceEvent[] = [];
  private samples: ClusterSnapshot[] = [];
  private actions: TraceAction[] = [];
  private resets: number[] = [];
  private nextN = 1;
  /**
   * What an event long ago may still say about now: each node's latest role, term, commit and
   * election timer, and every request still held. A page starting later carries them first, so
   * a picture rebuilt from it is right from its first moment.
   */
  private readonly lasting = new Map<string, TraceEvent>();
  /** The previous sample without its time and counters, to skip samples that show nothing new. */
  private lastSampleKey = '';
  private readonly maxEvents: number;
  private readonly maxSamples: number;

  constructor(
    private readonly backend: BackendKind,
    private readonly nodes: ClusterNode[],
    opts: RecorderOptions = {},
  ) {
    this.maxEvents = opts.maxEvents ?? 200_000;
    this.maxSamples = opts.maxSamples ?? 3000;
  }

  /** The newest event's n (0 before any). */
  get lastN(): number {
    return this.nextN - 1;
  }

  record(event: NodeEvent, id: string | null): TraceEvent {
    const e: TraceEvent = { n: this.nextN++, id, event };
    this.events.push(e);
    this.noteLasting(e);
    // Trim in chunks: amortized O(1) per event.
    if (this.events.length >= this.maxEvents * 1.25)
      this.events.splice(0, this.events.length - this.maxEvents);
    return e;
  }

  sample(snapshot: ClusterSnapshot): void {
    const trimmed = trimLogs(snapshot, SAMPLE_LOG_ENTRIES);
    const key = JSON.stringify(
      trimmed.nodes.map((n) => [
        n.up,
        n.paused,
        n.partitionedFrom,
        n.error,
        n.status && { ...n.status, metrics: 0 },
      ]),
    );
    if (key === this.lastSampleKey) return;
    this.lastSampleKey = key;
    this.samples.push(trimmed);
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  action(a: TraceAction): void {
    this.actions.push(a);
    if (this.actions.length > MAX_ACTIONS) this.actions.splice(0, this.actions.length - MAX_ACTIONS);
  }

  reset(at: number): void {
    this.resets.push(at);
    this.lasting.clear();
    if (this.resets.length > MAX_RESETS) this.resets.shift();
    this.lastSampleKey = '';
  }

  /** When the cluster was last reset (0: never): history checks count from there. */
  get lastReset(): number {
    return this.resets.at(-1) ?? 0;
  }

  /** The node events since the last reset, oldest first. */
  eventsSinceReset(): NodeEvent[] {
    const from = this.lastReset;
    const i = this.firstIndexAt(from);
    return this.events.slice(i).map((e) => e.event);
  }

  /** The samples, oldest first (not copied: do not change them). */
  allSamples(): readonly ClusterSnapshot[] {
    return this.samples;
  }

  /** The events with `from < at <= to`, oldest first. */
  eventsBetween(from: number, to: number): TraceEvent[] {
    // Five streams interleave: start a little early, then filter exactly.
    const out: TraceEvent[] = [];
    for (let i = this.firstIndexAt(from - 1000); i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.event.at > to + 1000) break;
      if (e.event.at > from && e.event.at <= to) out.push(e);
    }
    return out;
  }

  /**
   * A trace: the events after `after` (or at or after `since`), at most `limit` of them, with
   * the samples, actions and resets of the span they cover (everything when nothing is asked).
   */
  trace(q: { after?: number; since?: number; limit?: number } = {}): Trace {
    let i = 0;
    if (q.after !== undefined) i = this.firstIndexAfterN(q.after);
    else if (q.since !== undefined) i = this.firstIndexAt(q.since);
    const end = q.limit === undefined ? this.events.length : Math.min(this.events.length, i + q.limit);
    const page = this.events.slice(i, end);
    // A first page that starts late begins with what still holds from before it.
    const first = page[0]?.n ?? this.nextN;
    const before =
      q.after === undefined && i > 0 ? [...this.lasting.values()].filter((e) => e.n < first) : [];
    const events = [...before.sort((a, b) => a.n - b.n), ...page];
    const more = end < this.events.length;
    // The samples of the span, plus the one before it (the state the span starts from).
    const from = page[0]?.event.at ?? q.since ?? Number.NEGATIVE_INFINITY;
    const to = more ? (page.at(-1)?.event.at ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    const firstSample = Math.max(0, this.samples.findIndex((s) => s.at >= from) - 1);
    const samples = this.samples.slice(firstSample).filter((s, k) => k === 0 || s.at <= to);
    const inSpan = (at: number) => at >= from - 1 && at <= to;
    return {
      format: TRACE_FORMAT,
      version: 1,
      exported_at: Date.now(),
      backend: this.backend,
      nodes: this.nodes,
      events,
      samples: this.samples.length === 0 ? [] : samples,
      actions: this.actions.filter((a) => inSpan(a.at)),
      resets: this.resets.filter(inSpan),
      more,
    };
  }

  private noteLasting(e: TraceEvent): void {
    const ev = e.event;
    if (ev.type === 'state' || ev.type === 'term' || ev.type === 'commit' || ev.type === 'election_timer') {
      this.lasting.set(`${ev.node_id}|${ev.type}`, e);
    } else if (ev.type === 'rpc_held') {
      this.lasting.set(`${ev.node_id}|held|${ev.id}`, e);
    } else if ((ev.type === 'rpc' && ev.dir === 'send' && ev.kind === 'request') || ev.type === 'rpc_lost') {
      this.lasting.delete(`${ev.node_id}|held|${ev.id}`);
    }
  }

  private firstIndexAt(at: number): number {
    // Events arrive from five streams, nearly in time order: a binary search is close enough
    // for "since", and the few out of order at the boundary are the same moment anyway.
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.event.at < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstIndexAfterN(n: number): number {
    const first = this.events[0]?.n ?? this.nextN;
    return Math.min(this.events.length, Math.max(0, n + 1 - first));
  }
}
