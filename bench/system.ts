// What the benchmark needs from a system under test (this project's cluster or the etcd
// anchor): start a fresh 5-member cluster with given timers, say where its members listen and
// which processes they are, and how the shared load.mjs kills and restarts its leader.

export interface Timers {
  /** Leader heartbeat interval, ms. */
  heartbeatMs: number;
  /**
   * Election timeout, ms: the lower bound. Both systems randomise in [electionMs, 2·electionMs):
   * etcd does so itself (raft.randomizedElectionTimeout); our nodes get
   * ELECTION_TIMEOUT_MIN_MS = electionMs, ELECTION_TIMEOUT_MAX_MS = 2·electionMs.
   */
  electionMs: number;
}

export const timersLabel = (t: Timers): string => `hb ${t.heartbeatMs} / election ${t.electionMs}`;

/** How load.mjs --failover reaches this system: extra flags and environment. */
export interface FailoverHooks {
  /** Endpoints load.mjs should use. */
  endpoints: string[];
  args: string[];
  env: Record<string, string>;
  /** Undoes whatever was set up for the failover run. */
  close(): Promise<void>;
}

export interface BenchSystem {
  readonly name: 'raft' | 'etcd';
  /** Starts a fresh cluster (empty data on disk); resolves once a leader is known. */
  start(timers: Timers): Promise<{ firstLeaderMs: number }>;
  /** Stops every member this object started (idempotent; also after a failure). */
  stop(): Promise<void>;
  /** Client URLs, one per member, in member order. */
  endpoints(): string[];
  /** Process ids, one per member, in member order (those that are running). */
  pids(): number[];
  /** The current leader's endpoint, or null. */
  leader(): Promise<string | null>;
  failoverHooks(): Promise<FailoverHooks>;
  /** Figures the system reports about its leader (e.g. entries per fsync), read before and after a run. */
  leaderCounters?(): Promise<Record<string, number> | null>;
}
