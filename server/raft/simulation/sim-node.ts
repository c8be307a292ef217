// One simulated node: a RaftCore, the stable storage its shell would keep, and its
// key-value state machine. Persisting a Ready may take a while; a crash before it is
// done loses that Ready (its entries, its vote, its messages) — exactly what a real
// process killed before fsync loses. Snapshots are written before the log is cut, and a
// crash can fall between the two (paper §7 on a real disk).

import { KvStateMachine } from '../../statemachine/kv.ts';
import { RaftCore } from '../core.ts';
import { splitForPersist } from '../early-send.ts';
import type {
  CoreConfig,
  Entry,
  Message,
  NodeId,
  PersistentState,
  ReadState,
  Ready,
  SnapshotMeta,
} from '../types.ts';

export interface Applied {
  entry: Entry;
  result: string | null;
  duplicate: boolean;
  /** The client session refused the request (§6.3): nothing was applied. */
  refused: boolean;
  /** A `register` entry: the session it opened. */
  clientId?: number;
}

/**
 * The simulation's snapshot image of the state machine: the applied prefix itself, replayed
 * on restore. (The node's real one serialises the map and the client sessions.)
 */
export type SnapshotImage = Entry[];

export interface SimStore extends PersistentState {
  snapshotImage?: SnapshotImage;
}

export interface NodeHooks {
  /** Right after the core handed out a Ready (before anything is done with it). */
  readyTaken(node: SimNode, ready: Ready): void;
  /** After the Ready is durable: its messages leave. */
  send(node: SimNode, msg: Message): void;
  /** Each committed entry, as the state machine applies it. */
  applied(node: SimNode, a: Applied): void;
  /** Reads the core confirmed (dissertation §6.4). */
  reads(node: SimNode, states: ReadState[]): void;
  /** A snapshot was written to this node's disk (taken locally or received). */
  snapshotStored(node: SimNode, meta: SnapshotMeta, image: SnapshotImage, received: boolean): void;
  /** Whether the process dies right after a snapshot is on disk and before the log is cut. */
  crashAfterSnapshotWrite(node: SimNode): boolean;
}

export class SimNode {
  core: RaftCore | null = null;
  kv = new KvStateMachine();
  /** What survives a crash: exactly what completed Readies and snapshots asked to persist. */
  store: SimStore = { currentTerm: 0, votedFor: null, log: [] };
  /** What the state machine applied, from index 1: the image a snapshot stores. */
  private appliedEntries: Entry[] = [];
  /** The Ready being persisted, and the messages that wait for it (early-send.ts). */
  private pending: { ready: Ready; afterPersist: Message[]; doneAt: number } | null = null;
  /** Bumped at each restart, so a client can tell a proposal died with its node. */
  incarnation = 0;
  /** A server added to a running cluster starts knowing no configuration (§4.2.1). */
  joining = false;

  constructor(
    readonly id: NodeId,
    private readonly config: CoreConfig,
    private readonly hooks: NodeHooks,
    start = true,
  ) {
    if (start) this.restart();
  }

  get alive(): boolean {
    return this.core !== null;
  }

  crash(): void {
    this.core = null;
    this.pending = null;
  }

  /** The disk is lost too: the node may come back only as a new server (§4.2.1 via a membership change). */
  wipe(): void {
    this.crash();
    this.store = { currentTerm: 0, votedFor: null, log: [] };
  }

  /** Comes back with only what was persisted; the state machine is rebuilt from the snapshot and log. */
  restart(): void {
    this.incarnation++;
    this.kv = new KvStateMachine();
    this.appliedEntries = [];
    const image = this.store.snapshotImage ?? [];
    for (const e of image) this.kv.apply(e);
    this.appliedEntries = [...image];
    const state: PersistentState = {
      currentTerm: this.store.currentTerm,
      votedFor: this.store.votedFor,
      log: [...this.store.log],
    };
    if (this.store.snapshot) state.snapshot = this.store.snapshot;
    const config: CoreConfig = {
      ...this.config,
      applied: this.store.snapshot?.index ?? 0,
      joining: this.joining,
    };
    this.core = new RaftCore(config, state);
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
        const { ready, afterPersist } = this.pending;
        this.pending = null;
        if (!this.persist(ready)) return;
        for (const m of afterPersist) this.hooks.send(this, this.withSnapshotImage(m));
        if (ready.snapshot) this.restoreFrom(ready.snapshot.data as SnapshotImage);
        for (const e of ready.committed) {
          const out = this.kv.apply(e);
          this.appliedEntries.push(e);
          this.hooks.applied(this, {
            entry: e,
            result: out.result,
            duplicate: out.duplicate === true,
            refused: out.refused !== undefined,
            clientId: out.clientId,
          });
        }
        if (ready.readStates) this.hooks.reads(this, ready.readStates);
        core.advance(ready);
        continue;
      }
      if (!core.hasReady()) return;
      const ready = core.ready();
      this.hooks.readyTaken(this, ready);
      // Dissertation §10.2.1: a leader's appends leave while its own write is under way.
      const { early, afterPersist } = splitForPersist(ready, core.role);
      for (const m of early) this.hooks.send(this, this.withSnapshotImage(m));
      this.pending = { ready, afterPersist, doneAt: now + fsyncTicks() };
    }
  }

  /**
   * Paper §7: a snapshot of the state machine at `index` (applied), written before the log
   * prefix is dropped. False when the process died in between.
   */
  takeSnapshot(index: number): boolean {
    const core = this.core;
    if (!core) return true;
    const meta = core.snapshotMeta(index);
    if (!meta) return true;
    const image = this.appliedEntries.slice(0, index);
    this.store.snapshot = meta;
    this.store.snapshotImage = image;
    this.hooks.snapshotStored(this, meta, image, false);
    if (this.hooks.crashAfterSnapshotWrite(this)) {
      this.crash();
      return false;
    }
    this.store.log = this.store.log.filter((e) => e.index > index);
    core.compact(index);
    return true;
  }

  /**
   * The order the shell must keep: hardState; snapshot; truncateFrom; then (and only then) the
   * entries the snapshot replaced may go; entries.
   */
  private persist(ready: Ready): boolean {
    const store = this.store;
    if (ready.hardState) {
      store.currentTerm = ready.hardState.currentTerm;
      store.votedFor = ready.hardState.votedFor;
    }
    if (ready.snapshot) {
      store.snapshot = ready.snapshot.meta;
      store.snapshotImage = ready.snapshot.data as SnapshotImage;
      this.hooks.snapshotStored(this, ready.snapshot.meta, store.snapshotImage, true);
      if (this.hooks.crashAfterSnapshotWrite(this)) {
        this.crash();
        return false;
      }
    }
    if (ready.truncateFrom !== undefined) store.log = store.log.filter((e) => e.index < ready.truncateFrom!);
    const snapshotIndex = store.snapshot?.index ?? 0;
    if ((store.log[0]?.index ?? Number.POSITIVE_INFINITY) <= snapshotIndex) {
      store.log = store.log.filter((e) => e.index > snapshotIndex);
    }
    for (const e of ready.entries) {
      const last = Math.max(store.log.at(-1)?.index ?? 0, snapshotIndex);
      if (e.index !== last + 1)
        throw new Error(`node ${this.id}: Ready leaves a gap at ${e.index} after ${last}`);
      store.log.push(e);
    }
    return true;
  }

  /**
   * The leader's shell attaches its snapshot to an InstallSnapshot the core asked for. It may
   * have taken a newer one since (snapshots only move forward): it sends that, with its metadata.
   */
  private withSnapshotImage(m: Message): Message {
    if (m.type !== 'install_snapshot') return m;
    const held = this.store.snapshot;
    if (!held || held.index < m.snapshot.index) {
      throw new Error(`node ${this.id}: asked to send snapshot ${m.snapshot.index} but holds ${held?.index}`);
    }
    return { ...m, snapshot: held, data: this.store.snapshotImage };
  }

  private restoreFrom(image: SnapshotImage): void {
    this.kv = new KvStateMachine();
    for (const e of image) this.kv.apply(e);
    this.appliedEntries = [...image];
  }
}
