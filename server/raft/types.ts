// The pure Raft core's vocabulary: what goes in (messages, ticks, proposals, requests from the
// shell) and what comes out (a Ready: state to persist, messages to send, entries to apply,
// reads to answer). Names follow the paper's Figure 2 and Ongaro's dissertation. No I/O, no
// clock, no randomness lives here.

export type NodeId = string;

/** `pre_candidate`: asking for PreVotes before it may start a real election (dissertation §9.6). */
export type Role = 'follower' | 'pre_candidate' | 'candidate' | 'leader';

/**
 * A cluster configuration (dissertation §4.1): who votes and who only receives the log.
 * Learners (§4.2.1) never vote, never count in a majority and never campaign.
 */
export interface Configuration {
  voters: NodeId[];
  learners: NodeId[];
  /** Opaque to the core: where the shell reaches each member (e.g. its base URL), replicated with the log. */
  addresses?: Record<NodeId, string>;
}

/**
 * One log entry. This is also the wire shape (HTTP) and the disk shape, so it uses the
 * HTTP contract's snake_case for the two client fields. Indexes are 1-based; 0 = nothing.
 */
export interface Entry {
  index: number;
  term: number;
  /**
   * `noop` (§8): a new leader's entry of its own term so earlier entries can commit.
   * `config` (dissertation §4.1): a new configuration, in effect on every server as soon as
   * the entry is in its log, committed or not.
   */
  type: 'command' | 'noop' | 'config';
  /** e.g. "set x=42"; null for a no-op or a configuration. */
  command: string | null;
  /** Dissertation §6.3: a client's id and request id make retries idempotent. */
  client_id?: string;
  request_id?: string;
  /** Only on `config` entries: the whole new configuration (not a delta). */
  config?: Configuration;
}

/** What must be on stable storage before the node answers anyone (Figure 2, "Persistent state"). */
export interface HardState {
  currentTerm: number;
  votedFor: NodeId | null;
}

/**
 * Paper §7 / dissertation §5.1: what a snapshot stands for. The data itself (the state
 * machine's image) belongs to the shell; the core only knows where it ends.
 */
export interface SnapshotMeta {
  /** lastIncludedIndex: the last entry the snapshot replaces. */
  index: number;
  /** lastIncludedTerm: that entry's term. */
  term: number;
  /** The configuration in effect at `index` (the latest one at or below it). */
  config: Configuration;
}

/** A snapshot as it travels through the core: metadata plus data the core never looks at. */
export interface Snapshot {
  meta: SnapshotMeta;
  /** Opaque to the core: whatever the shell stepped in with the InstallSnapshot (bytes, a file name...). */
  data: unknown;
}

/**
 * What a restarted node hands back to the core: exactly what it persisted. With a snapshot,
 * `log` holds the entries after it; entries at or below `snapshot.index` are ignored, and if
 * the log disagrees with the snapshot at its index the rest of the log is dropped too (the
 * first Ready then says `truncateFrom`), which covers a crash between writing a received
 * snapshot and cutting the log.
 */
export interface PersistentState extends HardState {
  log: Entry[];
  snapshot?: SnapshotMeta;
}

// ---- RPCs (Figure 2, Figure 13, dissertation §3.10, §9.6). `from`/`to` address the message;
// `rpcId` is opaque to the core: the shell sets it on an incoming request and the core copies
// it onto the response, so the shell can answer the right HTTP request.

interface VoteRequestFields {
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  /** For a PreVote: the term the candidate would campaign in (its own term + 1), adopted by nobody. */
  term: number;
  candidateId: NodeId;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVote extends VoteRequestFields {
  type: 'request_vote';
  /**
   * Dissertation §3.10: this election follows a TimeoutNow from the leader, so voters answer
   * it even while they hear from that leader (leader stickiness, §4.2.3, does not apply).
   */
  leadershipTransfer?: boolean;
}

/** Dissertation §9.6: "could I win?" — answered as a vote would be, but nobody's state changes. */
export interface PreVote extends VoteRequestFields {
  type: 'pre_vote';
}

interface VoteResponseFields {
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  /** For a granted PreVote, the term asked about; otherwise the responder's current term. */
  term: number;
  voteGranted: boolean;
}

export interface RequestVoteResponse extends VoteResponseFields {
  type: 'request_vote_response';
}

export interface PreVoteResponse extends VoteResponseFields {
  type: 'pre_vote_response';
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
  /**
   * Dissertation §6.4: the leader's heartbeat round when this was sent; the follower echoes it
   * so the leader knows the answer postdates a read. Absent until the leader serves a read.
   */
  readRound?: number;
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
  /** The request's `readRound`, echoed. */
  readRound?: number;
}

/**
 * Paper §7, Figure 13, without the chunking fields: the shell moves the data (in chunks if it
 * likes) and steps the whole snapshot into the follower's core once it has all of it.
 */
export interface InstallSnapshot {
  type: 'install_snapshot';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  leaderId: NodeId;
  snapshot: SnapshotMeta;
  /** Absent when the leader's core emits it (its shell attaches the data); present when stepped into a follower. */
  data?: unknown;
}

export interface InstallSnapshotResponse {
  type: 'install_snapshot_response';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  /** The last index the follower's log now matches the leader's at (the snapshot's, or more). */
  matchIndex: number;
}

/** Dissertation §3.10: "start an election now" — from a leader handing over to a caught-up follower. */
export interface TimeoutNow {
  type: 'timeout_now';
  from: NodeId;
  to: NodeId;
  rpcId?: string;
  term: number;
  leaderId: NodeId;
}

export type Message =
  | RequestVote
  | RequestVoteResponse
  | PreVote
  | PreVoteResponse
  | AppendEntries
  | AppendEntriesResponse
  | InstallSnapshot
  | InstallSnapshotResponse
  | TimeoutNow;

/** A client command a leader is asked to append. */
export interface Proposal {
  command: string;
  client_id?: string;
  request_id?: string;
}

export type ProposeResult =
  | { ok: true; entries: Entry[] }
  | { ok: false; reason: 'not_leader'; leaderId: NodeId | null }
  /** Dissertation §3.10: a leader handing over leadership takes no new commands. */
  | { ok: false; reason: 'transferring'; leaderId: NodeId; transferee: NodeId };

/** Dissertation §4.1: one server added as a learner, promoted to voter, or removed. */
export type MembershipChange =
  | { kind: 'add_learner'; id: NodeId; address?: string }
  | { kind: 'promote'; id: NodeId }
  | { kind: 'remove'; id: NodeId };

export type MembershipRefusal =
  | 'not_leader'
  /** The 2015 raft-dev fix: a leader first commits an entry of its own term. */
  | 'no_commit_in_term'
  /** §4.1: one change at a time; the previous configuration entry is not committed yet. */
  | 'change_in_progress'
  | 'transferring'
  | 'already_member'
  | 'not_member'
  | 'not_learner'
  /** §4.2.1: the learner's last catch-up round took longer than an election timeout. */
  | 'learner_behind'
  | 'last_voter';

export type MembershipResult =
  | { ok: true; entry: Entry }
  | { ok: false; reason: MembershipRefusal; detail: string };

export type TransferResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'not_leader' | 'not_voter' | 'self';
      detail: string;
    };

export type ReadResult = { ok: true } | { ok: false; reason: 'not_leader'; leaderId: NodeId | null };

/**
 * Dissertation §6.4: a read the leader has confirmed. Answer it once the state machine has
 * applied `index` (lastApplied >= index), from the state machine, on this node.
 */
export interface ReadState {
  id: string;
  index: number;
}

/** Volatile state the shell shows on /status; not persisted. */
export interface SoftState {
  role: Role;
  leaderId: NodeId | null;
  commitIndex: number;
}

/**
 * Everything the core wants done since the last ready(). The shell must, in order:
 * 1. persist durably, in this order: `hardState`; `snapshot`; `truncateFrom`; only then may the
 *    stored entries at or below the latest snapshot's index go (never before: a restart tells a
 *    stale suffix from a continuation by the entry at the snapshot's index); `entries`;
 * 2. then send `messages` (responses included); if `snapshot` is present restore the state
 *    machine from it; apply `committed` in order; answer `readStates` once applied reaches
 *    their index, and fail `droppedReads` (this node can no longer confirm them);
 * 3. then call advance(ready) so the core knows it was done.
 * Optional fields are absent when there is nothing of that kind.
 */
export interface Ready {
  hardState?: HardState;
  /** A snapshot from the leader the core accepted (paper §7, Figure 13 steps 7–8). */
  snapshot?: Snapshot;
  /** Delete every stored entry with index >= this before appending `entries` (§5.3 conflict). */
  truncateFrom?: number;
  /** New entries to append to stable storage. */
  entries: Entry[];
  messages: Message[];
  /** Newly committed entries, in index order, to apply to the state machine (after `snapshot`). */
  committed: Entry[];
  /** Present when role, leader or commitIndex changed. */
  softState?: SoftState;
  /** Present when the configuration in effect changed (an entry appended or cut, a snapshot installed). */
  configuration?: Configuration;
  /** Reads confirmed by a heartbeat round or the lease (dissertation §6.4). */
  readStates?: ReadState[];
  /** Reads this node took but can no longer confirm (it stopped leading): answer "not leader". */
  droppedReads?: string[];
}

/** Dissertation §6.4 and §6.4.1: how a leader confirms it still leads before a read. */
export type ReadMode = 'read_index' | 'lease';

export interface CoreConfig {
  id: NodeId;
  /**
   * The other voters of the bootstrap configuration `{voters: [id, ...peers], learners}`, used
   * only while the log and snapshot hold no configuration entry.
   */
  peers: NodeId[];
  /** Learners of the bootstrap configuration (dissertation §4.2.1); `id` among them makes this server one. */
  learners?: NodeId[];
  /**
   * A server being added to a running cluster (or re-added after losing its disk): it starts
   * with an empty configuration, so it never campaigns until the leader's log or snapshot
   * makes it a voter (dissertation §4.2.1). Ignored once the log or snapshot holds a configuration.
   */
  joining?: boolean;
  /** Ticks between leader heartbeats. */
  heartbeatTicks: number;
  /** Election timeout is drawn uniformly from [electionTicksMin, electionTicksMax] (§5.2). */
  electionTicksMin: number;
  electionTicksMax: number;
  /** Injected so the core has no randomness of its own; the simulation passes a seeded one. */
  random: () => number;
  /** Most entries in one append_entries (default 512). */
  maxEntriesPerMessage?: number;
  /**
   * Most bytes of entries (their JSON, as `entryBytes` counts them) in one append_entries
   * (default DEFAULT_MAX_BYTES_PER_MESSAGE); a single larger entry still goes, alone (etcd's
   * MaxSizePerMsg). Must be chosen with the receiver's body limit; see README.
   */
  maxBytesPerMessage?: number;
  /** Most bytes of entries unanswered per follower (default DEFAULT_MAX_INFLIGHT_BYTES). */
  maxInflightBytes?: number;
  /** Index up to which the state machine was already applied (at least the snapshot's index). */
  applied?: number;
  /**
   * §8: a new leader appends a no-op of its term at once (default true). Off only for teaching
   * Figure 8: old-term entries then wait, uncommitted, for the leader's first own-term entry.
   */
  noopOnElection?: boolean;
  /** Dissertation §9.6: ask for PreVotes before raising the term (default true). */
  preVote?: boolean;
  /**
   * Dissertation §6.2 and §4.2.3 (default true): a leader steps down when it has not heard
   * from a majority within an election timeout, and a server that heard from a leader within
   * the minimum election timeout ignores vote requests (leader stickiness).
   */
  checkQuorum?: boolean;
  /** Dissertation §6.4 (default 'read_index'); 'lease' also needs checkQuorum. */
  readMode?: ReadMode;
}
