// What the live channel has told us, kept in one place: the newest cluster snapshot, the
// recent RPCs for the timeline, the action history, safety warnings and which cells run.
// Components subscribe to the part they draw, so a snapshot does not redraw the history.

import type { ClusterNode as ClusterNodeInfo, ClusterSnapshot } from '../../server/contract/cluster-view.ts';
import type { LiveChannelMessage as LiveMessage } from '../../server/contract/live.ts';
import type { NodeEvent, RpcEvent } from '../../server/contract/node-events.ts';
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

export type LivePart = 'status' | 'snapshot' | 'events' | 'history' | 'warning' | 'run';

/** How much RPC history the timeline can show (it draws the last ~10 s of it). */
const EVENT_WINDOW_MS = 15_000;
const MAX_EVENTS = 20_000;
const MAX_HISTORY = 50;

export class LiveState extends EventTarget {
  status: LiveStatus = 'connecting';
  backend = '';
  nodes: ClusterNodeInfo[] = [];
  snapshot: ClusterSnapshot | null = null;
  /** RPC events, oldest first. */
  rpcs: RpcEvent[] = [];
  /** Node events other than RPCs (state, term, commit, admin), oldest first. */
  changes: NodeEvent[] = [];
  history: HistoryItem[] = [];
  warnings: ShownWarning[] = [];
  /** `${lessonId}/${cellId}` of cells running now, with what they wait for. */
  running = new Map<string, RunningCell>();
  /** Which fresh cluster runs now (a reset or a lab restart starts a new one). */
  generation = '';
  /** The lab's clock minus ours, so node event times can be placed on our time axis. */
  clockOffsetMs = 0;

  apply(msg: LiveMessage): void {
    switch (msg.type) {
      case 'hello':
        this.backend = msg.backend;
        this.nodes = msg.nodes ?? [];
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
        this.addEvent(msg.event);
        break;
      case 'action':
        this.history = [{ ...msg, at: Date.now(), shown: msg.shown ?? msg.text }, ...this.history].slice(
          0,
          MAX_HISTORY,
        );
        if (msg.generation) this.generation = msg.generation;
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

  private setSnapshot(s: ClusterSnapshot): void {
    this.snapshot = s;
    if (typeof s.at === 'number') this.clockOffsetMs = s.at - Date.now();
    // The members change with `add`, `remove` and `reset` (dissertation §4.1): follow the snapshots.
    const ids = s.nodes.map((n) => n.id).join(',');
    if (this.nodes.map((n) => n.id).join(',') !== ids && s.nodes.length > 0)
      this.nodes = s.nodes.map(({ id, name, url }) => ({ id, name, url }));
  }

  private addEvent(ev: NodeEvent): void {
    if (ev.type === 'rpc') {
      this.rpcs.push(ev);
      trim(this.rpcs, ev.at - EVENT_WINDOW_MS);
    } else {
      this.changes.push(ev);
      trim(this.changes, ev.at - EVENT_WINDOW_MS * 4);
    }
    this.emit('events');
  }

  private emit(part: LivePart): void {
    this.dispatchEvent(new Event(part));
  }
}

/** Drops events older than `before` (and beyond the cap) from the front; cheap amortised. */
function trim(list: NodeEvent[], before: number): void {
  let drop = 0;
  while (drop < list.length && list[drop].at < before) drop++;
  drop = Math.max(drop, list.length - MAX_EVENTS);
  if (drop > 0) list.splice(0, drop);
}
