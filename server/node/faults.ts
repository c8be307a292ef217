// The faults an instructor can inject through /admin (admin.ts): network cuts to and from
// chosen peers, a frozen (paused) node, a timer speed factor, and — for the Figure 8 lesson —
// whether a new leader appends §8's no-op. This module only holds the state; the node shell
// (node.ts) and the HTTP layer (http-api.ts) act on it.

import type { CutDirection, FaultsView } from '../contract/admin.ts';

export type FaultChange = 'pause' | 'resume' | 'speed' | 'noop';

export class Faults {
  readonly cutInbound = new Set<string>();
  readonly cutOutbound = new Set<string>();
  private pausedFlag = false;
  private speedFactor = 1;
  private noopFlag: boolean;
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

  onChange(f: (change: FaultChange) => void): void {
    this.listeners.push(f);
  }

  /** Cuts accumulate: each call adds to what is already cut. */
  partition(peers: readonly string[], direction: CutDirection): void {
    for (const p of peers) {
      if (direction !== 'outbound') this.cutInbound.add(p);
      if (direction !== 'inbound') this.cutOutbound.add(p);
    }
  }

  heal(): void {
    this.cutInbound.clear();
    this.cutOutbound.clear();
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
    };
  }
}
