// The pure Raft core's vocabulary: what goes in (messages, ticks, proposals) and what
// comes out (a Ready: state to persist, messages to send, entries to apply).
// Names follow the paper's Figure 2. No I/O, no clock, no randomness lives here.

export type NodeId = string;

export type Role = 'follower' | 'candidate' | 'leader';

/**
 * One log entry. This is also the wire shape (HTTP) and the disk shape, so it uses the
 * HTTP contract's snake_case for the two client fields. Indexes are 1-based; 0 = nothing.
 */
export interface Entry {
  index: number;
  term: number;
  /** §8: a new leader appends a no-op of its own term so earlier entries can commit. */
  type: 'command' | 'noop';
  /** e.g. "set x=42"; null for a no-op. */
  command: string | null;
  /** Dissertation §6.3: a client's id and request id make retries idempotent. */
  client_id?: string;
  request_id?: string;
}

/** What must be on stable storage before the node answers anyone (Figure 2, "Persistent state"). */
export interface HardState {
  currentTerm: number;
  votedFor: NodeId | null;
}

/** What a restarted node hands back to the core: exactly what it persisted. */
export interface PersistentState extends HardState {
  log: Entry[];
}

// ---- RPCs (Figure 2). `from`/`to` address the message; `rpcId` is opaque to the core:
// the shell sets it on an incoming request and the core copies it onto the response, so
// the shell can answer the right HTTP request.

export interface RequestVote {
  type: 'request_vote';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  candidateId: NodeId;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteResponse {
  type: 'request_vote_response';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  voteGranted: boolean;
}

export interface AppendEntries {
  type: 'append_entries';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  leaderId: NodeId;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
}

export interface AppendEntriesResponse {
  type: 'append_entries_response';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  success: boolean;
  /** On success: the index of the last entry known to match the leader (prevLogIndex + entries.length). */
  matchIndex: number;
  /** On failure, a hint so the leader backs up a whole term at a time (§5.3, "fast back-up"). */
  conflictIndex?: number;
  conflictTerm?: number;
}

export type Message = RequestVote | RequestVoteResponse | AppendEntries | AppendEntriesResponse;

/** A client command a leader is asked to append. */
export interface Proposal {
  command: string;
  client_id?: string;
  request_id?: string;
}

export type ProposeResult =
  | { ok: true; entries: Entry[] }
  | { ok: false; reason: 'not_leader'; leaderId: NodeId | null };

/** Volatile state the shell shows on /status; not persisted. */
export interface SoftState {
  role: Role;
  leaderId: NodeId | null;
  commitIndex: number;
}

/**
 * Everything the core wants done since the last ready(). The shell must, in order:
 * 1. persist `hardState` (if present) and the log change (`truncateFrom`, then `entries`) durably;
 * 2. then send `messages` (responses included) and apply `committed` in order.
 * Then call advance(ready) so the core knows it was done.
 */
export interface Ready {
  hardState?: HardState;
  /** Delete every stored entry with index >= this before appending `entries` (§5.3 conflict). */
  truncateFrom?: number;
  /** New entries to append to stable storage. */
  entries: Entry[];
  messages: Message[];
  /** Newly committed entries, in index order, to apply to the state machine. */
  committed: Entry[];
  /** Present when role, leader or commitIndex changed. */
  softState?: SoftState;
}

export interface CoreConfig {
  id: NodeId;
  /** The other members; the cluster is `[id, ...peers]`. */
  peers: NodeId[];
  /** Ticks between leader heartbeats. */
  heartbeatTicks: number;
  /** Election timeout is drawn uniformly from [electionTicksMin, electionTicksMax] (§5.2). */
  electionTicksMin: number;
  electionTicksMax: number;
  /** Injected so the core has no randomness of its own; the simulation passes a seeded one. */
  random: () => number;
  /** Most entries in one append_entries; keeps a catch-up message bounded. */
  maxEntriesPerMessage?: number;
  /** Index up to which the state machine was already applied (0 after a restart: rebuilt from the log). */
  applied?: number;
  /**
   * §8: a new leader appends a no-op of its term at once (default true). Off only for teaching
   * Figure 8: old-term entries then wait, uncommitted, for the leader's first own-term entry.
   */
  noopOnElection?: boolean;
}
