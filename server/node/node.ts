// The node's shell loop around the pure Raft core: ticks the core on a timer, steps in what
// peers and clients send, and handles every Ready in order: persist (one write + one fsync),
// then send messages and answer HTTP requests, then apply committed entries, then advance.
// Answering only after persisting is what makes a vote or an acknowledgement durable (Figure 2);
// only a leader's appends leave before its write (dissertation §10.2.1, raft/early-send.ts).
// Bodies arrive here already checked against the contract (http-api.ts; replies below).

import type { OutboxView } from '../contract/admin.ts';
import type { InstallSnapshotBody } from '../contract/install-snapshot.ts';
import type { LogPage, NodeStatus } from '../contract/node-status.ts';
import type {
  AppendEntriesBody,
  PreVoteBody,
  RequestVoteBody,
  RpcName,
  TimeoutNowBody,
} from '../contract/raft-rpc.ts';
import type { SwitchesBody, SwitchesView } from '../contract/raft-switches.ts';
import { RaftCore } from '../raft/core.ts';
import { splitForPersist } from '../raft/early-send.ts';
import type {
  Configuration,
  Entry,
  MembershipChange,
  MembershipResult,
  Message,
  PersistentState,
  Proposal,
  Ready,
  TransferResult,
} from '../raft/types.ts';
import { parseCommand } from '../statemachine/command.ts';
import { KvStateMachine } from '../statemachine/kv.ts';
import { ClientCommands, type CommandOutcome } from './client-commands.ts';
import type { NodeConfig } from './config.ts';
import { NodeEvents, rpcEventOf } from './events.ts';
import { Faults } from './faults.ts';
import { type InboundRpc, InboundRpcs, type RpcAnswer } from './inbound-rpcs.ts';
import { SnapshotReceiver, SnapshotSender } from './install-snapshot.ts';
import { OutboundRpcs } from './outbound-rpcs.ts';
import type { Taken } from './outbox.ts';
import { PeerBook } from './peer-book.ts';
import { phaseTrace } from './phase-trace.ts';
import { Reads } from './reads.ts';
import { RpcCounters } from './rpc-counters.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { logPageView, type NodeParts, statusView } from './status-view.ts';
import { describeTornTail, Wal, WalCorruptError, type WalOptions } from './storage/wal.ts';
import { TimerEvents } from './timer-events.ts';
import { Transport } from './transport.ts';
import { ignoredDetail } from './vote-refusals.ts';
import { wipeDirectory } from './wipe-directory.ts';
import {
  decodeAppendEntries,
  decodePreVote,
  decodeRequestVote,
  decodeTimeoutNow,
  encodeResponse,
  encodeTimeoutNowReply,
} from './wire-codec.ts';

export type { RpcAnswer } from './inbound-rpcs.ts';

export interface RaftNodeOptions {
  /** Called when the node cannot go on safely (e.g. the disk refused a write). */
  onFatal?: (err: unknown) => void;
  random?: () => number;
  /** Told about every role or leader change (main.ts logs it). */
  onStateChange?: (role: string, term: number, leaderId: string | null) => void;
  /** Told what an operator should know: a torn log tail dropped at start, a full disk and its end. */
  notice?: (message: string) => void;
  /** Passed to the write-ahead log (tests inject disk errors through `openFile`). */
  wal?: WalOptions;
}

/** How often a Ready held by a full disk is tried again. */
const DISK_FULL_RETRY_MS = 200;

export class RaftNode {
  readonly faults: Faults;
  readonly events: NodeEvents;
  private counters = new RpcCounters();
  // Rebuilt by reset() (/admin/reset): a fresh follower with an empty log, in the same process.
  private core: RaftCore;
  private sm = new KvStateMachine();
  private readonly transport: Transport;
  private inbound = new InboundRpcs();
  // Rebuilt by reset() with the core: held requests and in-flight answers belong to the old core.
  private outbound: OutboundRpcs;
  private timerEvents: TimerEvents;
  private readonly heartbeatTicks: number;
  private readonly commands = new ClientCommands();
  private receiver = new SnapshotReceiver();
  private sender: SnapshotSender;
  /** Paper §7: applied entries after the last snapshot that trigger the next (SNAPSHOT_ENTRIES, /admin/snapshot). */
  snapshotEntries: number;
  /** Who this node talks to: PEERS plus the addresses in the configuration entries (§4.1). */
  private peerBook: PeerBook;
  private reads: Reads;
  /** Told after every Ready and every tick (leadership-admin.ts waits on a transfer with it). */
  private readonly progressListeners = new Set<() => void>();
  private readonly leaderUrls = new Map<string, string>();
  private parts: NodeParts;
  /** Bumped by reset(): answers to requests sent before it belong to a core that is gone. */
  private incarnation = 0;
  private resetting = false;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private flushScheduled = false;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private rpcSeq = 0;
  private stopped = false;
  /** A full disk was reported (notice) and its end not yet. */
  private diskFullNoticed = false;
  private last: { role: string; term: number; leaderId: string | null; commitIndex: number };

  private constructor(
    readonly config: NodeConfig,
    private wal: Wal,
    state: PersistentState,
    private snapshots: SnapshotStore,
    private readonly opts: RaftNodeOptions,
  ) {
    this.faults = new Faults(config.id, config.noopOnElection);
    this.events = new NodeEvents(config.id);
    this.transport = new Transport(config.id, config.peers, config.rpcTimeoutMs);
    this.peerBook = new PeerBook(config.id, config.peers, this.transport);
    this.snapshotEntries = config.snapshotEntries;
    this.sender = this.newSender();
    this.heartbeatTicks = Math.max(1, Math.round(config.heartbeatMs / config.tickMs));
    this.reads = new Reads(config.readMode);
    this.core = this.newCore(state);
    if (this.snapshots.latest) this.sm.restore(this.snapshots.latest.data);
    this.peerBook.follow(this.core.configuration);
    this.outbound = this.newOutbound();
    this.timerEvents = new TimerEvents(this.core, this.faults, this.events, config.tickMs);
    this.parts = this.newParts();
    this.last = { role: 'follower', term: this.core.currentTerm, leaderId: null, commitIndex: 0 };
    this.faults.onChange((change) => {
      // Replies held while paused run from Faults' own queue (whenRunning below); pump after them.
      if (change === 'resume') void this.pump();
      if (change === 'noop') {
        this.core.setNoopOnElection(this.faults.noopOnElection);
        return;
      }
      // The hold lifted: what waited leaves, oldest first.
      if (change === 'hold' && !this.faults.holding) this.outbound.outbox.releaseAll();
      if ((change === 'resume' || change === 'speed') && !this.stopped) this.startTicker();
      if (change === 'pause') this.stopTicker();
      this.timerEvents.observe(true);
    });
  }

  private newCore(state: PersistentState): RaftCore {
    const c = this.config;
    const ticks = (ms: number) => Math.max(1, Math.round(ms / c.tickMs));
    return new RaftCore(
      {
        id: c.id,
        peers: c.peers.map((p) => p.id),
        heartbeatTicks: ticks(c.heartbeatMs),
        electionTicksMin: ticks(c.electionTimeoutMinMs),
        electionTicksMax: ticks(c.electionTimeoutMaxMs),
        random: this.opts.random ?? Math.random,
        // The state machine holds the snapshot (if any); the core re-emits the committed entries after it.
        applied: this.snapshots.latest?.meta.index ?? 0,
        joining: c.joining,
        noopOnElection: this.faults.noopOnElection,
        preVote: c.preVote,
        checkQuorum: c.checkQuorum,
        readMode: c.readMode === 'lease' ? 'lease' : 'read_index',
      },
      state,
    );
  }

  /** The leader's side of install_snapshot; a transfer begun before a reset answers a core that is gone. */
  private newSender(): SnapshotSender {
    const incarnation = this.incarnation;
    const current = () => incarnation === this.incarnation;
    return new SnapshotSender({
      selfId: this.config.id,
      advertiseUrl: this.config.advertiseUrl,
      chunkBytes: this.config.snapshotChunkBytes,
      latest: () => (current() ? this.snapshots.latest : null),
      post: (peer, body, id) => {
        if (this.faults.cutOutbound.has(peer)) return Promise.reject(new Error(`cut from ${peer}`));
        return this.transport.call(peer, 'install_snapshot', body, id);
      },
      done: (reply) => this.whenRunning(() => current() && this.core.step(reply)),
      failed: (peer) => {
        if (!current()) return;
        this.counters.rpcFailures++;
        this.whenRunning(() => current() && this.core.unreachable(peer));
      },
    });
  }

  /** The outbound path of one incarnation: answers that come back after a reset are dropped. */
  private newOutbound(): OutboundRpcs {
    const incarnation = this.incarnation;
    const current = () => incarnation === this.incarnation;
    return new OutboundRpcs(
      {
        faults: this.faults,
        events: this.events,
        transport: this.transport,
        counters: this.counters,
        advertiseUrl: this.config.advertiseUrl,
        random: this.opts.random ?? Math.random,
      },
      {
        whenRunning: (f) => this.whenRunning(f),
        step: (reply) => {
          // An answer to the core before a reset: that core, its term and its log are gone.
          if (!current()) return;
          this.core.step(reply);
          this.timerEvents.observe();
        },
        unreachable: (peer) => current() && this.core.unreachable(peer),
      },
    );
  }

  private newParts(): NodeParts {
    return {
      config: this.config,
      peers: this.peerBook,
      snapshots: this.snapshots,
      snapshotSender: this.sender,
      snapshotEntries: () => this.snapshotEntries,
      core: this.core,
      sm: this.sm,
      faults: this.faults,
      wal: this.wal,
      commands: this.commands,
      counters: this.counters,
      switches: () => this.switches(),
      urlOf: (id) => this.urlOf(id),
    };
  }

  /**
   * /admin/reset: a fresh node in the same process — term 0, no vote, an empty log and state
   * machine, every fault healed — as if its data directory had been wiped and it had started
   * again, only without the seconds a new process takes: no snapshot, the snapshot threshold
   * SNAPSHOT_ENTRIES, and the bootstrap configuration (PEERS, or none with JOINING=1) whatever
   * membership changes the old log held (§4.1). With `isolated`, the node comes back
   * cut off from every peer (until /admin/heal), so that a peer not reset yet cannot hand it
   * the old cluster's term or entries: the lab resets every node that way, then heals them all.
   * Requests waiting for the old state are answered 503; answers to RPCs it sent are dropped.
   */
  async reset(isolated: boolean): Promise<void> {
    if (this.stopped || this.resetting) return;
    this.resetting = true;
    this.incarnation++;
    // Held and delayed requests belong to the old core: forgotten, not released by the heal below.
    this.outbound.close();
    this.counters = new RpcCounters();
    this.outbound = this.newOutbound();
    // First the cuts (before anything can arrive), then the other faults, pause last: requests
    // held by a pause now meet the cuts.
    // Every peer it knows of, also those a membership change added (a sixth server).
    const others = this.peerBook.knownIds().filter((id) => id !== this.id);
    this.faults.resetTo(this.config.noopOnElection, isolated ? others : []);
    this.stopTicker();
    try {
      await this.pumping;
      this.commands.failAll({ kind: 'stopping' });
      this.reads.failAll({ kind: 'stopping' });
      // The switches go back to the node's configured defaults, as after a restart.
      this.reads = new Reads(this.config.readMode);
      this.inbound.answerAll(503, {
        error: 'reset',
        detail: `node ${this.id} was reset (/admin/reset) before it answered`,
      });
      await this.wal.close();
      await wipeDirectory(this.config.dataDir);
      const { wal, state } = await Wal.open(this.config.dataDir, this.opts.wal);
      this.wal = wal;
      this.snapshots = await SnapshotStore.open(this.config.dataDir);
      this.snapshotEntries = this.config.snapshotEntries;
      this.inbound = new InboundRpcs();
      this.receiver = new SnapshotReceiver();
      this.sender = this.newSender();
      this.sm = new KvStateMachine();
      this.core = this.newCore(state);
      this.transport.resetAddresses(this.config.peers);
      this.peerBook = new PeerBook(this.config.id, this.config.peers, this.transport);
      this.peerBook.follow(this.core.configuration);
      this.timerEvents = new TimerEvents(this.core, this.faults, this.events, this.config.tickMs);
      this.parts = this.newParts();
      this.leaderUrls.clear();
      this.last = { role: 'follower', term: this.core.currentTerm, leaderId: null, commitIndex: 0 };
    } finally {
      this.resetting = false;
    }
    this.events.emit({ type: 'state', state: 'follower', term: this.core.currentTerm, leader_id: null });
    this.opts.onStateChange?.('follower', this.core.currentTerm, null);
    this.startTicker();
  }

  /** Opens the node's write-ahead log and builds the core from what it holds. */
  static async open(config: NodeConfig, opts: RaftNodeOptions = {}): Promise<RaftNode> {
    const { wal, state } = await Wal.open(config.dataDir, opts.wal);
    if (wal.tornTail) opts.notice?.(describeTornTail(wal.file, wal.tornTail));
    let snapshots: SnapshotStore;
    try {
      snapshots = await SnapshotStore.open(config.dataDir);
    } catch (e) {
      await wal.close();
      throw e;
    }
    const snap = snapshots.latest?.meta;
    if (state.base > (snap?.index ?? 0)) {
      await wal.close();
      throw new WalCorruptError(
        `${wal.file} starts after entry ${state.base}, but the snapshot that replaced those entries ` +
          `(raft.snap in ${config.dataDir}) ${snap ? `ends at ${snap.index}` : 'is missing'}. Keep the data directory ` +
          'as it is and do not start this node as itself: replace it through a membership change (remove it, ' +
          'restart it empty with JOINING=1, add it as a learner, promote it). See "Losing a disk" in docs/node-api.md.',
      );
    }
    const { base: _base, ...persisted } = state;
    return new RaftNode(config, wal, snap ? { ...persisted, snapshot: snap } : persisted, snapshots, opts);
  }

  get id(): string {
    return this.config.id;
  }

  /** Every id this node accepts RPCs from: itself, PEERS and everyone its configurations name. */
  get memberIds(): string[] {
    return this.peerBook.knownIds();
  }

  get currentTerm(): number {
    return this.core.currentTerm;
  }

  get role(): string {
    return this.core.role;
  }

  get leaderId(): string | null {
    return this.core.leaderId;
  }

  start(): void {
    this.startTicker();
  }

  private startTicker(): void {
    this.stopTicker();
    if (this.faults.paused || this.stopped) return;
    this.ticker = setInterval(() => {
      if (this.resetting) return;
      // A learner's paused election timer stands still; a leader's heartbeats go on (§5.2).
      if (!this.faults.timerPaused || this.core.role === 'leader') this.core.tick();
      this.timerEvents.afterTick(this.heartbeatTicks);
      // Most ticks change nothing the Ready loop would act on: an idle cluster ticks 100 times a
      // second per node, so the loop (and its promises) starts only when there is work.
      if (this.core.hasReady() || this.commands.hasQueued || this.inbound.hasStepped) void this.pump();
      this.notifyProgress();
    }, this.config.tickMs / this.faults.speed);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Stops timers, fails waiting commands, lets an in-progress write finish, closes the log. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTicker();
    this.commands.failAll({ kind: 'stopping' });
    this.reads.failAll({ kind: 'stopping' });
    await this.pumping;
    this.outbound.close();
    this.events.close();
    this.transport.close();
    await this.wal.close();
  }

  // ---- inbound ----------------------------------------------------------------------------

  /**
   * A request_vote or append_entries from a peer (or a learner), checked against the contract
   * at the door; `answer` is called after persisting. `eventId` is the sender's X-Raft-Rpc-Id.
   */
  receive(
    rpc: RpcName,
    body: RequestVoteBody | PreVoteBody | AppendEntriesBody | TimeoutNowBody,
    answer: RpcAnswer,
    eventId?: string,
  ): void {
    if (this.resetting) {
      answer(503, { error: 'reset', detail: `node ${this.id} is being reset; send it again in a moment` });
      return;
    }
    const rpcId = `in${++this.rpcSeq}`;
    const id = eventId ?? `${this.id}.${rpcId}`;
    if (rpc === 'timeout_now') {
      // §3.10: nothing to answer but "received"; the election it starts is the real answer.
      const msg = decodeTimeoutNow(body as TimeoutNowBody, this.id);
      this.rpcEvent('recv', msg, id);
      this.core.step(msg);
      this.timerEvents.observe();
      answer(200, encodeTimeoutNowReply(this.id, this.core.currentTerm));
      void this.pump();
      return;
    }
    const msg =
      rpc === 'request_vote'
        ? decodeRequestVote(body as RequestVoteBody, this.id, rpcId)
        : rpc === 'pre_vote'
          ? decodePreVote(body as PreVoteBody, this.id, rpcId)
          : decodeAppendEntries(body as AppendEntriesBody, this.id, rpcId);
    const heartbeat = msg.type === 'append_entries' && msg.entries.length === 0;
    this.inbound.hold(rpcId, { answer, eventId: id, rpc, from: msg.from, term: msg.term, heartbeat });
    if (msg.type === 'append_entries') {
      const url = (body as AppendEntriesBody).leader_url?.replace(/\/$/, '');
      if (url !== undefined && msg.term >= this.core.currentTerm) this.leaderUrls.set(msg.leaderId, url);
    }
    this.rpcEvent('recv', msg, id);
    this.core.step(msg);
    this.timerEvents.observe();
    void this.pump();
  }

  /**
   * One chunk of POST /install_snapshot (paper §7, Figure 13), checked against the contract. Earlier
   * chunks are answered at once; the last one is stepped into the core and answered after the
   * snapshot is fsync'd. A chunk from an older term is answered with this node's term (step 1).
   */
  receiveSnapshotChunk(body: InstallSnapshotBody, answer: RpcAnswer, eventId?: string): void {
    if (this.resetting) {
      answer(503, { error: 'reset', detail: `node ${this.id} is being reset; send it again in a moment` });
      return;
    }
    const term = this.core.currentTerm;
    if (body.term < term) {
      answer(200, { term, bytes_received: 0 });
      return;
    }
    const url = body.leader_url?.replace(/\/$/, '');
    if (url !== undefined) this.leaderUrls.set(String(body.leader_id), url);
    const out = this.receiver.chunk(body);
    if (out.kind === 'refused') {
      answer(out.refusal.status, { error: out.refusal.error, detail: out.refusal.detail });
      return;
    }
    if (out.kind === 'partial') {
      answer(200, { term, bytes_received: out.bytesReceived });
      return;
    }
    const rpcId = `in${++this.rpcSeq}`;
    const id = eventId ?? `${this.id}.${rpcId}`;
    const total = out.bytes.length;
    const msg = { ...out.message, to: this.id, rpcId };
    this.inbound.hold(rpcId, {
      answer: (status, reply) => answer(status, status === 200 ? { ...reply, bytes_received: total } : reply),
      eventId: id,
      rpc: 'install_snapshot',
      from: msg.from,
      term: msg.term,
      heartbeat: false,
    });
    this.rpcEvent('recv', msg, id);
    this.core.step(msg);
    void this.pump();
  }

  /**
   * Dissertation §4.1: one single-server change on the leader (server/node/membership-admin.ts
   * drives it). The result says why a change is refused.
   */
  changeMembership(change: MembershipChange): MembershipResult {
    const r = this.core.changeMembership(change);
    if (r.ok) void this.pump();
    return r;
  }

  /** The configuration in effect (the latest in the log, committed or not, §4.1). */
  get configuration(): Configuration {
    return this.core.configuration;
  }

  /** Leader only: whether `id` caught up in its last round (§4.2.1), and its matchIndex. */
  replicationOf(id: string): { caughtUp: boolean; matchIndex: number } | null {
    const f = this.core.replication()?.[id];
    return f ? { caughtUp: f.caughtUp, matchIndex: f.matchIndex } : null;
  }

  /** Whether the configuration entry at the end of the log (if any) is committed. */
  get configurationCommitted(): boolean {
    const last = this.core.lastIndex();
    for (let i = last; i > this.core.commitIndex; i--) {
      if (this.core.entries(i, i)[0]?.type === 'config') return false;
    }
    return true;
  }

  get commitIndex(): number {
    return this.core.commitIndex;
  }

  /** A client command; resolves once it is committed and applied, or cannot be. */
  submit(proposal: Proposal): Promise<CommandOutcome> {
    if (this.stopped || this.resetting) return Promise.resolve({ kind: 'stopping' });
    if (this.core.role !== 'leader') return Promise.resolve(this.notLeader());
    // Nothing new is proposed while the disk refuses writes: the client hears so at once.
    if (this.wal.diskFull) return Promise.resolve({ kind: 'disk_full', detail: this.wal.diskFull.detail });
    if (this.reads.mode !== 'log' && proposal.client_id === undefined) {
      const c = parseCommand(proposal.command);
      if ('op' in c && c.op === 'get') return this.read(c.key);
    }
    phaseTrace?.submitted();
    // Commands arriving in the same turn of the event loop (or during a write) go out as
    // one batch: one append_entries per follower, one fsync.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.pump();
      });
    }
    return this.commands.enqueue(proposal);
  }

  /**
   * A `get` without a log entry. `read_index`/`lease`: dissertation §6.4 through the core
   * (reads.ts). `unsafe_local`: answered from this node's state machine at once, whatever its
   * role — may be stale; only for the lesson that shows why the protocol exists.
   */
  private read(key: string): Promise<CommandOutcome> {
    if (this.reads.mode === 'unsafe_local') {
      const at = { index: this.core.lastApplied, term: this.core.currentTerm };
      return Promise.resolve({
        kind: 'ok',
        ...at,
        result: this.sm.get(key),
        duplicate: false,
        read: 'unsafe_local',
      });
    }
    const waitMs = Math.round(this.config.commandTimeoutMs / Math.min(1, this.faults.speed));
    const { id, outcome } = this.reads.start(key, this.core.currentTerm, waitMs);
    const r = this.core.readIndex(id);
    if (!r.ok) this.reads.refuse(id, this.notLeader());
    else void this.pump();
    return outcome;
  }

  private notLeader(): CommandOutcome {
    const transferee = this.core.transferee;
    if (transferee !== null) return { kind: 'transferring', to: transferee };
    const leaderId = this.core.leaderId;
    if (leaderId === null || leaderId === this.id) return { kind: 'no_leader' };
    return { kind: 'not_leader', leaderId, leaderUrl: this.urlOf(leaderId) };
  }

  // ---- the Ready loop -----------------------------------------------------------------------

  private pump(): Promise<void> {
    if (this.pumping !== null) {
      // The loop may be on its way out; make sure what just arrived is handled now, not a tick later.
      this.pumpAgain = true;
      return this.pumping;
    }
    if (this.stopped || this.resetting) return Promise.resolve();
    this.pumpAgain = false;
    // One loop, one Ready at a time (server/raft/README.md). The loop starts a microtask later,
    // once `pumping` says it runs: what it calls on its way may pump again before its first
    // await — an early append to a cut peer fails on the spot (§10.2.1, outbound-rpcs.ts) — and
    // that must not start a second loop writing the log beside it.
    this.pumping = Promise.resolve()
      .then(() => this.runReadyLoop())
      .catch((err) => {
        this.stopped = true;
        this.stopTicker();
        if (this.opts.onFatal) this.opts.onFatal(err);
        else throw err;
      })
      .finally(() => {
        this.pumping = null;
        if (this.pumpAgain) void this.pump();
      });
    return this.pumping;
  }

  private async runReadyLoop(): Promise<void> {
    while (!this.faults.paused && !this.stopped && !this.resetting) {
      if (this.commands.hasQueued) {
        const waitMs = Math.round(this.config.commandTimeoutMs / Math.min(1, this.faults.speed));
        this.commands.proposeQueued(
          (p) => this.core.propose(p),
          () => this.notLeader(),
          waitMs,
        );
      }
      const stepped = this.inbound.takeStepped();
      if (!this.core.hasReady()) {
        this.inbound.answerIgnored(stepped, new Set(), (rpc) => this.ignored(rpc));
        return;
      }
      const rd = this.core.ready();
      this.counters.readies++;
      phaseTrace?.ready('persist', rd);
      // Dissertation §10.2.1: a leader's appends leave now, its own write overlapping theirs.
      const { early, afterPersist } = splitForPersist(rd, this.core.role);
      for (const m of early) this.dispatch(m);
      // Nothing else of this Ready leaves before it is durable; a full disk holds it here (retried).
      if (!(await this.persist(rd))) return;
      phaseTrace?.ready('persisted', rd);
      if (this.diskFullNoticed) {
        this.diskFullNoticed = false;
        this.opts.notice?.('the disk accepts writes again: the held log record is persisted, going on');
      }
      const answered = new Set<string>();
      for (const m of afterPersist) {
        if (m.rpcId !== undefined) answered.add(m.rpcId);
        this.dispatch(m);
      }
      this.inbound.answerIgnored(stepped, answered, (rpc) => this.ignored(rpc));
      if (rd.snapshot) this.sm.restore(rd.snapshot.data as Uint8Array);
      for (const e of rd.committed) this.apply(e);
      if (rd.configuration) this.peerBook.follow(rd.configuration);
      this.core.advance(rd);
      // §6.4: confirmed reads wait until applied >= their index; dropped ones never answer a value.
      this.reads.fromReady(rd.readStates, rd.droppedReads, () => this.notLeader());
      this.reads.answerApplied(this.core.lastApplied, (key) => this.sm.get(key));
      this.noteChanges(rd);
      this.notifyProgress();
      await this.snapshots.maybeTake(this.core, this.sm, this.wal, this.snapshotEntries);
    }
  }

  /**
   * Persists one Ready in the core's order (server/raft/README.md): hardState; a received
   * snapshot (written and fsync'd, paper §7); truncateFrom; only then the entries a snapshot
   * replaced (`dropTo`); entries. False if the node stopped while a full disk held it.
   */
  private async persist(rd: Ready): Promise<boolean> {
    const retry = {
      retryMs: DISK_FULL_RETRY_MS,
      stopped: () => this.stopped,
      onFull: (e: Error) => this.onDiskFull(e),
    };
    let hardState = rd.hardState;
    if (rd.snapshot) {
      if (hardState && !(await this.wal.appendRetrying({ hardState }, retry))) return false;
      hardState = undefined;
      await this.snapshots.store({ meta: rd.snapshot.meta, data: rd.snapshot.data as Uint8Array }, true);
    }
    const snapshotIndex = this.snapshots.latest?.meta.index ?? 0;
    return this.wal.appendRetrying(
      {
        hardState,
        truncateFrom: rd.truncateFrom,
        dropTo: snapshotIndex > this.wal.dropped ? snapshotIndex : undefined,
        entries: rd.entries,
      },
      retry,
    );
  }

  /**
   * The 409 for a request the core chose not to answer: a vote request under leader stickiness
   * (§4.2.3), or a second leader claiming a term (§5.2). Also an `ignored` event, so the lab shows it.
   */
  private ignored(rpc: InboundRpc): object {
    const detail = ignoredDetail(rpc.rpc, {
      id: this.id,
      role: this.core.role,
      term: this.core.currentTerm,
      leaderId: this.core.leaderId,
      electionTimeoutMinMs: this.config.electionTimeoutMinMs,
    });
    this.events.emit({ type: 'ignored', rpc: rpc.rpc, from: rpc.from, term: rpc.term, detail });
    return { error: 'ignored', detail };
  }

  private onDiskFull(e: Error): void {
    // Commands not yet proposed can be refused for sure; those in the held Ready wait (they may
    // still commit once it is written) and time out as unknown if it takes too long.
    this.commands.failQueued({ kind: 'disk_full', detail: e.message });
    if (!this.diskFullNoticed) {
      this.diskFullNoticed = true;
      this.opts.notice?.(`${e.message} (retrying every ${DISK_FULL_RETRY_MS} ms)`);
    }
  }

  private dispatch(m: Message): void {
    if (
      m.type === 'request_vote_response' ||
      m.type === 'pre_vote_response' ||
      m.type === 'append_entries_response'
    ) {
      const rpc = this.inbound.take(m.rpcId);
      if (!rpc) return;
      // A reply travels back on the link to the requester: its delay applies (link-faults.ts).
      const delay = this.outbound.replyDelay(rpc.from);
      if (this.events.active) this.events.emit(rpcEventOf('send', m, rpc.eventId, rpc.heartbeat, delay));
      if (m.type === 'append_entries_response') this.counters.answered(m);
      const body = encodeResponse(m, this.id);
      if (delay > 0) setTimeout(() => rpc.answer(200, body), delay);
      else rpc.answer(200, body);
      return;
    }
    if (m.type === 'install_snapshot_response') {
      const rpc = this.inbound.take(m.rpcId);
      if (!rpc) return;
      this.rpcEvent('send', m, rpc.eventId);
      rpc.answer(200, { term: m.term, match_index: m.matchIndex });
      return;
    }
    if (m.type === 'install_snapshot') {
      this.sender.send(m);
      return;
    }
    if (
      m.type === 'request_vote' ||
      m.type === 'pre_vote' ||
      m.type === 'append_entries' ||
      m.type === 'timeout_now'
    )
      this.outbound.send(m, `${this.id}.${++this.rpcSeq}`);
  }

  /** Runs `f` now, or on resume when paused (a frozen process reads its sockets late), then pumps. */
  private whenRunning(f: () => void): void {
    if (this.stopped) return;
    this.faults.whenRunning(() => {
      if (this.stopped) return;
      f();
      void this.pump();
    });
  }

  private apply(e: Entry): void {
    this.commands.applied(e, this.sm.apply(e));
  }

  private noteChanges(rd: Ready): void {
    const now = {
      role: this.core.role,
      term: this.core.currentTerm,
      leaderId: this.core.leaderId,
      commitIndex: this.core.commitIndex,
    };
    if (rd.hardState && now.term !== this.last.term) this.events.emit({ type: 'term', term: now.term });
    if (now.role !== this.last.role || now.leaderId !== this.last.leaderId) {
      this.events.emit({ type: 'state', state: now.role, term: now.term, leader_id: now.leaderId });
      this.opts.onStateChange?.(now.role, now.term, now.leaderId);
    }
    if (now.commitIndex !== this.last.commitIndex)
      this.events.emit({ type: 'commit', commit_index: now.commitIndex });
    this.last = now;
  }

  private rpcEvent(dir: 'send' | 'recv', m: Message, id: string, heartbeatReply = false): void {
    if (this.events.active) this.events.emit(rpcEventOf(dir, m, id, heartbeatReply));
  }

  // ---- message-level control (admin: hold, deliver, drop, timeout) --------------------------

  /** GET /admin/outbox: the requests waiting while the network is held, oldest first. */
  outboxView(): OutboxView {
    return { node_id: this.id, held: this.faults.holding, messages: this.outbound.outbox.list() };
  }

  /** Sends these held requests now (all or none: `missing` names those not held). */
  deliverHeld(ids: readonly string[]): Taken {
    return this.outbound.outbox.deliver(ids);
  }

  /** Drops these held requests: each is lost ("dropped") and the core hears it as a failure. */
  dropHeld(ids: readonly string[]): Taken {
    return this.outbound.outbox.drop(ids);
  }

  /** Drops every held request (heal: a whole network, without a burst of stale requests). */
  dropAllHeld(): number {
    return this.outbound.outbox.dropAll();
  }

  /** POST /admin/reconnect: closes every connection to a peer; answers how many (Transport.reconnect). */
  reconnect(): number {
    return this.transport.reconnect();
  }

  /**
   * The election timer fires now (RaftScope's "time out"; not the TimeoutNow RPC of §3.10): a
   * follower or candidate starts an election (§5.2), with PreVote first when it is on (§9.6).
   * Returns why it cannot: a leader has no election timer; a stopped, paused or resetting node
   * does nothing.
   */
  expireElectionTimer(): string | null {
    if (this.stopped) return `node ${this.id} is stopping`;
    if (this.resetting) return `node ${this.id} is being reset; try again in a moment`;
    if (this.faults.paused) return `node ${this.id} is paused: resume it first`;
    if (this.core.role === 'leader') {
      return `node ${this.id} is the leader of term ${this.core.currentTerm}: a leader has no election timer (§5.2); time out a follower or a candidate`;
    }
    this.core.campaign();
    this.timerEvents.observe(true);
    void this.pump();
    return null;
  }

  // ---- Raft switches and leadership transfer (leadership-admin.ts) --------------------------

  switches(): SwitchesView {
    const s = this.core.switches;
    return { pre_vote: s.preVote, check_quorum: s.checkQuorum, read_mode: this.reads.mode };
  }

  /** Sets the given switches; the core takes PreVote from the next election on (§9.6). */
  setSwitches(b: SwitchesBody): void {
    if (b.pre_vote !== undefined) this.core.setPreVote(b.pre_vote);
    if (b.check_quorum !== undefined) this.core.setCheckQuorum(b.check_quorum);
    if (b.read_mode !== undefined) {
      this.reads.mode = b.read_mode;
      this.core.setReadMode(b.read_mode === 'lease' ? 'lease' : 'read_index');
    }
  }

  /** Dissertation §3.10, on the leader; progress shows in `leadership()` (watch with onProgress). */
  transferLeadership(to: string): TransferResult {
    const r = this.core.transferLeadership(to);
    void this.pump();
    return r;
  }

  leadership(): { role: string; term: number; leaderId: string | null; transferee: string | null } {
    const c = this.core;
    return { role: c.role, term: c.currentTerm, leaderId: c.leaderId, transferee: c.transferee };
  }

  electionTimeoutMaxMs(): number {
    return this.config.electionTimeoutMaxMs / this.faults.speed;
  }

  /** Calls `f` after every Ready and tick until the returned function is called. */
  onProgress(f: () => void): () => void {
    this.progressListeners.add(f);
    return () => this.progressListeners.delete(f);
  }

  private notifyProgress(): void {
    if (this.progressListeners.size === 0) return;
    for (const f of [...this.progressListeners]) f();
  }

  // ---- views ------------------------------------------------------------------------------

  urlOf(id: string): string | null {
    if (id === this.id) return this.config.advertiseUrl;
    return this.leaderUrls.get(id) ?? this.peerBook.urlOf(id) ?? null;
  }

  status(): NodeStatus {
    return statusView(this.parts);
  }

  logPage(from: number, limit: number): LogPage {
    return logPageView(this.parts, from, limit);
  }
}
