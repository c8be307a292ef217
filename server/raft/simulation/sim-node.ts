// One simulated node: a RaftCore, the stable storage its shell would keep, and its
// key-value state machine. Persisting a Ready may take a while; a crash before it is
// done loses that Ready (its entries, its vote, its messages) — exactly what a real
// process killed before fsync loses.

import { KvStateMachine } from '../../statemachine/kv.ts';
import { RaftCore } from '../core.ts';
import type { CoreConfig, Entry, Message, NodeId, PersistentState, Ready } from '../types.ts';

export interface Applied {
  entry: Entry;
  result: string | null;
  duplicate: boolean;
  /** The client session refused the request (§6.3): nothing was applied. */
  refused: boolean;
  /** A `register` entry: the session it opened. */
  clientId?: number;
}

export interface NodeHooks {
  /** Right after the core handed out a Ready (before anything is done with it). */
  readyTaken(node: SimNode, ready: Ready): void;
  /** After the Ready is durable: its messages leave. */
  send(node: SimNode, msg: Message): void;
  /** Each committed entry, as the state machine applies it. */
  applied(node: SimNode, a: Applied): void;
}

export class SimNode {
  core: RaftCore | null = null;
  kv = new KvStateMachine();
  /** What survives a crash: exactly what completed Readies asked to persist. */
  readonly store: PersistentState = { currentTerm: 0, votedFor: null, log: [] };
  private pending: { ready: Ready; doneAt: number } | null = null;
  /** Bumped at each restart, so a client can tell a proposal died with its node. */
  incarnation = 0;

  constructor(
    readonly id: NodeId,
    private readonly config: CoreConfig,
    private readonly hooks: NodeHooks,
  ) {
    this.restart();
  }

  get alive(): boolean {
    return this.core !== null;
  }

  crash(): void {
    this.core = null;
    this.pending = null;
  }

  /** Comes back with only what was persisted; the state machine is rebuilt from the log. */
  restart(): void {
    this.incarnation++;
    this.kv = new KvStateMachine();
    this.core = new RaftCore(this.config, { ...this.store, log: this.store.log });
  }

  hasPendingReady(): boolean {
    return this.pending !== null;
  }

  /**
   * Runs the shell loop as far as it can at `now`: finish a Ready whose fsync is done, take
   * the next one. `fsyncTicks` says how long the next fsync takes (0 = at once).
   */
  pump(now: number, fsyncTicks: () => number): void {
    for (;;) {
      const core = this.core;
      if (!core) return;
      if (this.pending) {
        if (this.pending.doneAt > now) return;
        const { ready } = this.pending;
        this.pending = null;
        this.persist(ready);
        for (const m of ready.messages) this.hooks.send(this, m);
        for (const e of ready.committed) {
          const out = this.kv.apply(e);
          this.hooks.applied(this, {
            entry: e,
            result: out.result,
            duplicate: out.duplicate === true,
            refused: out.refused !== undefined,
            clientId: out.clientId,
          });
        }
        core.advance(ready);
        continue;
      }
      if (!core.hasReady()) return;
      const ready = core.ready();
      this.hooks.readyTaken(this, ready);
      this.pending = { ready, doneAt: now + fsyncTicks() };
    }
  }

  private persist(ready: Ready): void {
    if (ready.hardState) {
      this.store.currentTerm = ready.hardState.currentTerm;
      this.store.votedFor = ready.hardState.votedFor;
    }
    if (ready.truncateFrom !== undefined) this.store.log.length = Math.max(0, ready.truncateFrom - 1);
    for (const e of ready.entries) {
      if (e.index !== this.store.log.length + 1)
        throw new Error(`node ${this.id}: Ready leaves a gap at ${e.index}`);
      this.store.log.push(e);
    }
  }
}
