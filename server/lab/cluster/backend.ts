// How the lab controls a cluster, whatever runs it: local processes, Docker containers,
// or nodes an instructor already runs (remote). The executor only ever talks to this.

import type { BackendKind, ClusterNode, Fault } from '../../contract/cluster-view.ts';
import type { SwitchesBody } from '../../contract/raft-switches.ts';
import type { NetworkControl } from './network-control.ts';

export interface ClusterBackend {
  readonly kind: BackendKind;
  /** Which faults this backend can inject; the rest answer with an error naming the backend. */
  readonly faults: readonly Fault[];
  /** The members, in id order. Changes only through addNode/removeNode (and reset, back to the first ones). */
  nodes(): ClusterNode[];
  /** Bring every node up (idempotent). Resolves once every node answers /status. */
  start(): Promise<void>;
  /** Stop every node the backend started and release its resources. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * True when stop() discards the nodes' data (a swarm stack's or compose project's volumes):
   * the next start() is a new cluster, whose terms start again at 1. Absent: the data is kept.
   */
  readonly freshAfterStop?: boolean;
  /** Stop a node abruptly, losing everything not on disk (SIGKILL / docker kill). */
  kill(id: string): Promise<void>;
  /** Start a killed node again on the same data directory / volume. */
  restart(id: string): Promise<void>;
  /** Freeze / thaw the whole node (SIGSTOP / docker pause, or the node's /admin/pause). */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Only nodes within the same group can talk to each other; nodes in no group are cut off from all. */
  partition(groups: string[][]): Promise<void>;
  /** Remove every partition, and every message-level fault (hold, link faults, stopped timers). */
  heal(): Promise<void>;
  /**
   * Message-level control through the nodes' /admin API (hold, deliver, drop, links, timers);
   * null when the backend cannot reach it. Kept across restarts; forgotten on heal and reset.
   */
  readonly network: NetworkControl | null;
  /** Timers run at this multiple of normal speed (0.1 = slow motion). */
  speed(factor: number): Promise<void>;
  /**
   * Whether a new leader appends §8's no-op (default on). Off only to show Figure 8 literally;
   * kept for nodes restarted or resumed later, and back on after `reset`.
   */
  noop(enabled: boolean): Promise<void>;
  /**
   * Raft switches on every node (PreVote §9.6, CheckQuorum §6.2/§4.2.3, read mode §6.4); kept for
   * nodes restarted or resumed later, back to the defaults after `reset`.
   */
  switches(change: SwitchesBody): Promise<void>;
  /** Dissertation §3.10: asks leader `from` to hand over to `to`; resolves with the node's sentence. */
  transferLeadership(from: string, to: string): Promise<string>;
  /** A fresh cluster: every node stopped, its data wiped, started again. */
  reset(): Promise<void>;
  /** Paper §7: every node snapshots once `entries` applied entries follow its last snapshot; `reset` restores the default. */
  snapshotEvery(entries: number): Promise<void>;
  /** A lost disk: stop the node abruptly and delete its data (it may only come back through removal and `addNode`). */
  wipe(id: string): Promise<void>;
  /**
   * Dissertation §4.2.1: start server `id` empty with JOINING=1 (a new id, or one removed before)
   * and have the leader add it as a learner. Resolves once the addition is committed.
   */
  addNode(id: string): Promise<void>;
  /** Dissertation §4.2.1: the leader makes learner `id` a voter once it has caught up. */
  promote(id: string): Promise<void>;
  /** Dissertation §4.1: the leader removes `id` (itself too, §4.2.2); then the server is shut down and forgotten. */
  removeNode(id: string): Promise<void>;
  /** What the backend itself knows about a node (a process/container may be down or frozen). */
  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] };
}
