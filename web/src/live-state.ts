// What the live channel has told us, kept in one place: the newest cluster snapshot, the
// recorded history (node events and status samples, for the picture and time travel), the
// action history, safety warnings, which cells run, and what the picture shows (the clock's
// moment, a replay, the lesson's view). Components subscribe to the part they draw, so a
// snapshot does not redraw the history; node events are announced once per animation frame.

import type { ClusterNode as ClusterNodeInfo, ClusterSnapshot } from '../../server/contract/cluster-view.ts';
import type { LiveChannelMessage as LiveMessage } from '../../server/contract/live.ts';
import type { Trace } from '../../server/contract/trace.ts';
import type { ViewDirective } from '../../server/contract/view.ts';
import { HistoryStore } from './history/history-store.ts';
import { type Scene, sceneAt } from './history/scene.ts';
import { ViewClock } from './history/view-clock.ts';
import type { LiveStatus } from './live-client.ts';

/** A cluster action the live channel reported, with when it arrived here and the text it shows. */
export type HistoryItem = Omit<Extract<LiveMessage, { type: 'action' }>, 'generation'> & {
  at: number;
  /** `text` with the nodes its variables named (`kill node3`); `text` shows on hover. */
  shown: string;
};

/** A cell running now: its attempt, and what a waiting check or `wait` still waits for. */
export interface RunningCell {
  attempt: number;
  detail: string;
  waitingFor: string[];
  /** Epoch ms on the lab's clock (see `now()`); 0 when it does not wait for anything. */
  deadlineAt: number;
}

/** A safety warning the live channel reported (the contract's SafetyWarning), with when it arrived. */
export type ShownWarning = Extract<LiveMessage, { type: 'warning' }> & { at: number };

export type LivePart = 'status' | 'snapshot' | 'events' | 'history' | 'warning' | 'run' | 'clock' | 'view';

/** What the picture shows; a lesson sets it (front matter `view:`, `show`/`hide`/`highlight` in cells). */
export interface ViewSettings {
  ring: boolean;
  timeline: boolean;
  /** `summary`: heartbeats counted per pair in the timeline and drawn small in the ring; `each`: every one. */
  heartbeats: 'summary' | 'each';
  highlight: { node: string | null; message: string | null };
  /** A node event the learner jumped to (from a check or the timeline), highlighted. */
  focusEvent: string | null;
}

export const DEFAULT_VIEW: ViewSettings = {
  ring: true,
  timeline: true,
  heartbeats: 'summary',
  highlight: { node: null, message: null },
  focusEvent: null,
};

const MAX_HISTORY = 50;
/** How much of the lab's recording a new page fetches (its scrub range before it connected). */
const BACKFILL_MS = 60_000;
const BACKFILL_PAGE = 4000;

const nextFrame: (f: () => void) => void =
  typeof requestAnimationFrame === 'function'
    ? (f) => requestAnimationFrame(() => f())
    : (f) => setTimeout(f, 16);

export class LiveState extends EventTarget {
  status: LiveStatus = 'connecting';
  backend = '';
  nodes: ClusterNodeInfo[] = [];
  snapshot: ClusterSnapshot | null = null;
  /** The live cluster's recorded history. */
  readonly store = new HistoryStore();
  /** A trace file opened read-only, shown instead of the live cluster. */
  replay: { store: HistoryStore; name: string; trace: Trace } | null = null;
  readonly clock = new ViewClock(
    () => this.now(),
    () => this.replay?.store.span()?.to ?? Number.POSITIVE_INFINITY,
  );
  view: ViewSettings = structuredClone(DEFAULT_VIEW);
  history: HistoryItem[] = [];
  warnings: ShownWarning[] = [];
  /** `${lessonId}/${cellId}` of cells running now, with what they wait for. */
  running = new Map<string, RunningCell>();
  /** Which fresh cluster runs now (a reset or a lab restart starts a new one). */
  generation = '';
  /** The lab's clock minus ours, so node event times can be placed on our time axis. */
  clockOffsetMs = 0;
  private eventsAnnounced = true;
  /** Live events that arrive while older ones are fetched, to keep the store in time order. */
  private held: { event: Extract<LiveMessage, { type: 'event' }> }[] | null = null;

  private lastScene: { store: HistoryStore; version: number; t: number; scene: Scene } | null = null;

  /** The history the picture shows: the replay's, or the live cluster's. */
  get shown(): HistoryStore {
    return this.replay?.store ?? this.store;
  }

  /** The scene at the clock's moment; the ring and the cards drawing in one frame share it. */
  scene(): Scene {
    const store = this.shown;
    const t = this.clock.now();
    const c = this.lastScene;
    if (c && c.store === store && c.version === store.version && Math.abs(c.t - t) < 1) return c.scene;
    const scene = sceneAt(store, t);
    this.lastScene = { store, version: store.version, t, scene };
    return scene;
  }

  apply(msg: LiveMessage): void {
    switch (msg.type) {
      case 'hello':
        this.backend = msg.backend;
        this.nodes = msg.nodes ?? [];
        this.store.nodes = this.nodes;
        if (msg.snapshot) this.setSnapshot(msg.snapshot);
        if (msg.generation) this.generation = msg.generation;
        // The history panel survives a reload: the lab keeps the newest actions.
        if (msg.history) {
          this.history = msg.history.map((h, i) => ({
            ...h,
            type: 'action',
            seq: -i,
            at: h.at === undefined ? Date.now() : h.at - this.clockOffsetMs,
            shown: h.shown ?? h.text,
          }));
          this.emit('history');
        }
        this.emit('snapshot');
        break;
      case 'snapshot':
        this.setSnapshot(msg.snapshot);
        this.emit('snapshot');
        break;
      case 'event':
        if (this.held) this.held.push({ event: msg });
        else this.addEvent(msg);
        break;
      case 'view':
        this.applyView(msg.directive);
        break;
      case 'action':
        this.history = [{ ...msg, at: Date.now(), shown: msg.shown ?? msg.text }, ...this.history].slice(
          0,
          MAX_HISTORY,
        );
        if (msg.generation) this.generation = msg.generation;
        this.store.addAction({
          at: this.now(),
          text: msg.text,
          ok: msg.ok,
          detail: msg.detail,
          source: msg.source,
        });
        this.emit('history');
        break;
      case 'warning':
        this.warnings = [...this.warnings, { ...msg, at: Date.now() }];
        this.emit('warning');
        break;
      case 'run': {
        const key = `${msg.lessonId}/${msg.cellId}`;
        if (msg.phase === 'finished') {
          this.running.delete(key);
          if (msg.result?.clusterGeneration) this.generation = msg.result.clusterGeneration;
        } else
          this.running.set(key, {
            attempt: msg.attempt ?? 1,
            detail: msg.detail ?? '',
            waitingFor: msg.waitingFor ?? [],
            deadlineAt: msg.deadlineAt ?? 0,
          });
        this.emit('run');
        break;
      }
    }
  }

  setStatus(status: LiveStatus): void {
    this.status = status;
    this.emit('status');
  }

  dismissWarnings(): void {
    this.warnings = [];
    this.emit('warning');
  }

  /** Calls `fn` whenever one of `parts` changes; returns the unsubscribe function. */
  on(parts: LivePart[], fn: () => void): () => void {
    const listener = (e: Event) => {
      if (parts.includes(e.type as LivePart)) fn();
    };
    for (const p of parts) this.addEventListener(p, listener);
    return () => {
      for (const p of parts) this.removeEventListener(p, listener);
    };
  }

  /** The lab clock's "now". */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Opens a trace file's run, read-only; the picture stops at its start. */
  openReplay(trace: Trace, name: string): void {
    const store = HistoryStore.fromTrace(trace);
    this.replay = { store, name, trace };
    this.clock.startReplay(store.span()?.from ?? 0);
    this.emit('clock');
    this.emit('snapshot');
  }

  closeReplay(): void {
    this.replay = null;
    this.clock.goLive();
    this.emit('clock');
    this.emit('snapshot');
  }

  /** The clock moved (pause, scrub, live): redraw what depends on the moment. */
  clockChanged(): void {
    this.emit('clock');
  }

  /** A lesson opened: the picture starts from the defaults, then what the lesson says. */
  lessonView(directives: readonly ViewDirective[]): void {
    this.view = structuredClone(DEFAULT_VIEW);
    for (const d of directives) this.applyView(d, false);
    this.emit('view');
  }

  applyView(d: ViewDirective, announce = true): void {
    if (d.kind === 'highlight') this.view.highlight = { node: d.node, message: d.message };
    else if (d.part === 'heartbeats') this.view.heartbeats = d.kind === 'show' ? 'each' : 'summary';
    else this.view[d.part] = d.kind === 'show';
    if (announce) this.emit('view');
  }

  /** Shows the moment `at` (pausing the live picture), highlighting node event `eventId` if given. */
  jumpTo(at: number, eventId: string | null = null): void {
    this.clock.pause(at);
    this.view.focusEvent = eventId;
    this.emit('clock');
    this.emit('view');
  }

  /**
   * Fetches the lab's recording of the last minute (GET /api/trace, in pages), so the learner
   * can scrub back to before the page was opened. Live events wait meanwhile, then follow.
   */
  async backfill(
    fetchPage: (q: { since?: number; after?: number; limit: number }) => Promise<Trace>,
  ): Promise<void> {
    if (this.held) return;
    this.held = [];
    try {
      let page = await fetchPage({ since: this.now() - BACKFILL_MS, limit: BACKFILL_PAGE });
      for (;;) {
        for (const x of page.samples) this.store.addSample(x);
        for (const a of page.actions) this.store.addAction(a);
        for (const r of page.resets) this.store.addReset(r);
        for (const e of page.events) this.store.addEvent(e.event, e.id, e.n);
        const last = page.events.at(-1)?.n;
        if (!page.more || last === undefined) break;
        // One page per task: the page stays responsive while the history arrives.
        await new Promise((r) => setTimeout(r, 0));
        page = await fetchPage({ after: last, limit: BACKFILL_PAGE });
      }
    } finally {
      const waiting = this.held ?? [];
      this.held = null;
      for (const w of waiting) this.addEvent(w.event);
      this.announceEvents();
    }
  }

  private setSnapshot(s: ClusterSnapshot): void {
    this.snapshot = s;
    if (typeof s.at === 'number') this.clockOffsetMs = s.at - Date.now();
    // The members change with `add`, `remove` and `reset` (dissertation §4.1): follow the snapshots.
    const ids = s.nodes.map((n) => n.id).join(',');
    if (this.nodes.map((n) => n.id).join(',') !== ids && s.nodes.length > 0)
      this.nodes = s.nodes.map(({ id, name, url }) => ({ id, name, url }));
    if (this.store.nodes.length === 0) this.store.nodes = this.nodes;
    this.store.addSample(s);
  }

  private addEvent(msg: Extract<LiveMessage, { type: 'event' }>): void {
    this.store.addEvent(msg.event, msg.event_id ?? null, msg.record ?? null);
    this.announceEvents();
  }

  /** Tells the 'events' subscribers once per animation frame, however many events arrived. */
  private announceEvents(): void {
    if (!this.eventsAnnounced) return;
    this.eventsAnnounced = false;
    nextFrame(() => {
      this.eventsAnnounced = true;
      this.emit('events');
    });
  }

  private emit(part: LivePart): void {
    this.dispatchEvent(new Event(part));
  }
}
