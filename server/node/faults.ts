// The faults an instructor can inject through /admin (admin.ts): network cuts to and from
// chosen peers, a frozen (paused) node, a timer speed factor, and — for the Figure 8 lesson —
// whether a new leader appends §8's no-op; and, message by message: a held outbox, faults on
// the links to each peer, and a stopped election timer. This module only holds the state; the
// node shell (node.ts, outbox.ts, link-faults.ts) and the HTTP layer (http-api.ts) act on it.

import type { CutDirection, FaultsView, LinkFaults } from '../contract/admin.ts';

export type FaultChange = 'pause' | 'resume' | 'speed' | 'noop' | 'hold' | 'timer';

export const PERFECT_LINK: LinkFaults = { delay_ms: 0, jitter_ms: 0, loss: 0, duplicate: 0, reorder: 0 };

export class Faults {
  readonly cutInbound = new Set<string>();
  readonly cutOutbound = new Set<string>();
  private pausedFlag = false;
  private speedFactor = 1;
  private noopFlag: boolean;
  private holdFlag = false;
  private timerPausedFlag = false;
  private readonly linkFaults = new Map<string, LinkFaults>();
  /** How many requests wait in the outbox; kept here by the outbox for the view. */
  heldCount = 0;
  private waiting: (() => void)[] = [];
  private readonly listeners: ((change: FaultChange) => void)[] = [];

  constructor(
    private readonly nodeId: string,
    noopOnElection = true,
  ) {
    this.noopFlag = noopOnElection;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  get speed(): number {
    return this.speedFactor;
  }

  get noopOnElection(): boolean {
    return this.noopFlag;
  }

  get holding(): boolean {
    return this.holdFlag;
  }

  get timerPaused(): boolean {
    return this.timerPausedFlag;
  }

  /** The faults of the link to `peer` (a perfect link when none were set). */
  link(peer: string): LinkFaults {
    return this.linkFaults.get(peer) ?? PERFECT_LINK;
  }

  onChange(f: (change: FaultChange) => void): void {
    this.listeners.push(f);
  }

  /**
   * Cuts accumulate: each call adds to what is already cut. With `replace`, these become the
   * only cuts, in one synchronous step: a peer cut before and after is never let through.
   */
  partition(peers: readonly string[], direction: CutDirection, replace = false): void {
    if (replace) {
      this.cutInbound.clear();
      this.cutOutbound.clear();
    }
    for (const p of peers) {
      if (direction !== 'outbound') this.cutInbound.add(p);
      if (direction !== 'inbound') this.cutOutbound.add(p);
    }
  }

  /** Undoes every network fault: cuts, the hold, link faults and a stopped election timer. */
  heal(): void {
    this.cutInbound.clear();
    this.cutOutbound.clear();
    this.linkFaults.clear();
    this.setHold(false);
    this.setTimerPaused(false);
  }

  setHold(held: boolean): void {
    if (this.holdFlag === held) return;
    this.holdFlag = held;
    for (const f of this.listeners) f('hold');
  }

  setTimerPaused(paused: boolean): void {
    if (this.timerPausedFlag === paused) return;
    this.timerPausedFlag = paused;
    for (const f of this.listeners) f('timer');
  }

  /** Sets the faults of the links to `peers`; a perfect link is forgotten. */
  setLinks(peers: readonly string[], faults: LinkFaults): void {
    const perfect = Object.values(faults).every((v) => v === 0);
    for (const p of peers) {
      if (perfect) this.linkFaults.delete(p);
      else this.linkFaults.set(p, { ...faults });
    }
  }

  pause(): void {
    if (this.pausedFlag) return;
    this.pausedFlag = true;
    for (const f of this.listeners) f('pause');
  }

  resume(): void {
    if (!this.pausedFlag) return;
    this.pausedFlag = false;
    for (const f of this.listeners) f('resume');
    const run = this.waiting;
    this.waiting = [];
    for (const f of run) f();
  }

  setSpeed(factor: number): void {
    this.speedFactor = factor;
    for (const f of this.listeners) f('speed');
  }

  setNoopOnElection(enabled: boolean): void {
    this.noopFlag = enabled;
    for (const f of this.listeners) f('noop');
  }

  /**
   * Back to a fresh node's faults (/admin/reset): no pause, normal speed, the configured no-op
   * switch, and no cut — except from `isolateFrom`, cut both ways. The cuts come first, so a
   * request held by a pause meets them when the pause ends.
   */
  resetTo(noopOnElection: boolean, isolateFrom: readonly string[]): void {
    this.heal();
    this.partition(isolateFrom, 'both');
    if (this.speedFactor !== 1) this.setSpeed(1);
    if (this.noopFlag !== noopOnElection) this.setNoopOnElection(noopOnElection);
    this.resume();
  }

  /** Runs `f` now, or when the node is resumed; returns a function that cancels the wait. */
  whenRunning(f: () => void): () => void {
    if (!this.pausedFlag) {
      f();
      return () => {};
    }
    this.waiting.push(f);
    return () => {
      this.waiting = this.waiting.filter((g) => g !== f);
    };
  }

  toJSON(): FaultsView {
    return {
      node_id: this.nodeId,
      paused: this.pausedFlag,
      speed: this.speedFactor,
      cut_inbound: [...this.cutInbound].sort(),
      cut_outbound: [...this.cutOutbound].sort(),
      noop_on_election: this.noopFlag,
      held: this.holdFlag,
      held_count: this.heldCount,
      timer_paused: this.timerPausedFlag,
      links: Object.fromEntries([...this.linkFaults].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}
