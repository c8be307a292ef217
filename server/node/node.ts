// The node's shell loop around the pure Raft core: ticks the core on a timer, steps in what
// peers and clients send, and handles every Ready in order: persist (one write + one fsync),
// then send messages and answer HTTP requests, then apply committed entries, then advance.
// Answering only after persisting is what makes a vote or an acknowledgement durable (Figure 2).
// Bodies arrive here already checked against the contract (http-api.ts; replies below).

import type { InstallSnapshotBody } from '../contract/install-snapshot.ts';
import type { LogPage, NodeStatus } from '../contract/node-status.ts';
import {
  type AppendEntriesBody,
  AppendEntriesReplySchema,
  type RequestVoteBody,
  RequestVoteReplySchema,
} from '../contract/raft-rpc.ts';
import { parseWire } from '../contract/wire-check.ts';
import { RaftCore } from '../raft/core.ts';
import type {
  AppendEntries,
  Configuration,
  Entry,
  MembershipChange,
  MembershipResult,
  Message,
  PersistentState,
  Proposal,
  Ready,
  RequestVote,
} from '../raft/types.ts';
import { KvStateMachine } from '../statemachine/kv.ts';
import { ClientCommands, type CommandOutcome } from './client-commands.ts';
import type { NodeConfig } from './config.ts';
import { NodeEvents, rpcEventOf } from './events.ts';
import { Faults } from './faults.ts';
import { InboundRpcs, type RpcAnswer } from './inbound-rpcs.ts';
import { SnapshotReceiver, SnapshotSender } from './install-snapshot.ts';
import { PeerBook } from './peer-book.ts';
import { phaseTrace } from './phase-trace.ts';
import { RpcCounters } from './rpc-counters.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { logPageView, type NodeParts, statusView } from './status-view.ts';
import { describeTornTail, Wal, WalCorruptError, type WalOptions } from './storage/wal.ts';
import { Transport } from './transport.ts';
import {
  decodeAppendEntries,
  decodeReply,
  decodeRequestVote,
  encodeRequest,
  encodeResponse,
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
  private readonly counters = new RpcCounters();
  private readonly core: RaftCore;
  private readonly sm = new KvStateMachine();
  private readonly transport: Transport;
  private readonly inbound = new InboundRpcs();
  private readonly commands = new ClientCommands();
  private readonly receiver = new SnapshotReceiver();
  private readonly sender: SnapshotSender;
  /** Paper §7: applied entries after the last snapshot that trigger the next (SNAPSHOT_ENTRIES, /admin/snapshot). */
  snapshotEntries: number;
  /** Who this node talks to: PEERS plus the addresses in the configuration entries (§4.1). */
  readonly peerBook: PeerBook;
  private readonly leaderUrls = new Map<string, string>();
  private readonly parts: NodeParts;
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
    private readonly wal: Wal,
    state: PersistentState,
    private readonly snapshots: SnapshotStore,
    private readonly opts: RaftNodeOptions,
  ) {
    this.faults = new Faults(config.id, config.noopOnElection);
    this.events = new NodeEvents(config.id);
    this.transport = new Transport(config.id, config.peers, config.rpcTimeoutMs);
    this.peerBook = new PeerBook(config.id, config.peers, this.transport);
    this.snapshotEntries = config.snapshotEntries;
    this.sender = new SnapshotSender({
      selfId: config.id,
      advertiseUrl: config.advertiseUrl,
      chunkBytes: config.snapshotChunkBytes,
      latest: () => this.snapshots.latest,
      post: (peer, body, id) => {
        if (this.faults.cutOutbound.has(peer)) return Promise.reject(new Error(`cut from ${peer}`));
        return this.transport.call(peer, 'install_snapshot', body, id);
      },
      done: (reply) => this.whenRunning(() => this.core.step(reply)),
      failed: (peer) => {
        this.counters.rpcFailures++;
        this.whenRunning(() => this.core.unreachable(peer));
      },
    });
    const ticks = (ms: number) => Math.max(1, Math.round(ms / config.tickMs));
    this.core = new RaftCore(
      {
        id: config.id,
        peers: config.peers.map((p) => p.id),
        heartbeatTicks: ticks(config.heartbeatMs),
        electionTicksMin: ticks(config.electionTimeoutMinMs),
        electionTicksMax: ticks(config.electionTimeoutMaxMs),
        random: opts.random ?? Math.random,
        // The state machine holds the snapshot; the core re-emits the committed entries after it.
        applied: snapshots.latest?.meta.index ?? 0,
        joining: config.joining,
        noopOnElection: config.noopOnElection,
        // Not wired to HTTP yet: pre_vote messages, and leader stickiness would ignore lesson 10's hand-made request_vote.
        preVote: false,
        checkQuorum: false,
      },
      state,
    );
    if (snapshots.latest) this.sm.restore(snapshots.latest.data);
    this.peerBook.follow(this.core.configuration);
    this.parts = {
      config,
      peers: this.peerBook,
      snapshots,
      snapshotSender: this.sender,
      snapshotEntries: () => this.snapshotEntries,
      core: this.core,
      sm: this.sm,
      faults: this.faults,
      wal,
      commands: this.commands,
      counters: this.counters,
      urlOf: (id) => this.urlOf(id),
    };
    this.last = { role: 'follower', term: this.core.currentTerm, leaderId: null, commitIndex: 0 };
    this.faults.onChange((change) => {
      // Replies held while paused run from Faults' own queue (whenRunning below); pump after them.
      if (change === 'resume') void this.pump();
      if (change === 'noop') {
        this.core.setNoopOnElection(this.faults.noopOnElection);
        return;
      }
      if (change !== 'pause' && !this.stopped) this.startTicker();
      if (change === 'pause') this.stopTicker();
    });
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
      this.core.tick();
      void this.pump();
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
    await this.pumping;
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
    rpc: 'request_vote' | 'append_entries',
    body: RequestVoteBody | AppendEntriesBody,
    answer: RpcAnswer,
    eventId?: string,
  ): void {
    const rpcId = `in${++this.rpcSeq}`;
    const msg =
      rpc === 'request_vote'
        ? decodeRequestVote(body as RequestVoteBody, this.id, rpcId)
        : decodeAppendEntries(body as AppendEntriesBody, this.id, rpcId);
    const id = eventId ?? `${this.id}.${rpcId}`;
    const heartbeat = msg.type === 'append_entries' && msg.entries.length === 0;
    this.inbound.hold(rpcId, { answer, eventId: id, rpc, from: msg.from, heartbeat });
    if (msg.type === 'append_entries') {
      const url = (body as AppendEntriesBody).leader_url?.replace(/\/$/, '');
      if (url !== undefined && msg.term >= this.core.currentTerm) this.leaderUrls.set(msg.leaderId, url);
    }
    this.rpcEvent('recv', msg, id);
    this.core.step(msg);
    void this.pump();
  }

  /**
   * One chunk of POST /install_snapshot (paper §7, Figure 13), checked against the contract. Earlier
   * chunks are answered at once; the last one is stepped into the core and answered after the
   * snapshot is fsync'd. A chunk from an older term is answered with this node's term (step 1).
   */
  receiveSnapshotChunk(body: InstallSnapshotBody, answer: RpcAnswer, eventId?: string): void {
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
    if (this.stopped) return Promise.resolve({ kind: 'stopping' });
    if (this.core.role !== 'leader') return Promise.resolve(this.notLeader());
    // Nothing new is proposed while the disk refuses writes: the client hears so at once.
    if (this.wal.diskFull) return Promise.resolve({ kind: 'disk_full', detail: this.wal.diskFull.detail });
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

  private notLeader(): CommandOutcome {
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
    if (this.stopped) return Promise.resolve();
    this.pumpAgain = false;
    this.pumping = this.runReadyLoop()
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
    while (!this.faults.paused && !this.stopped) {
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
        this.inbound.answerIgnored(stepped, new Set(), (rpc) => this.ignored(rpc.rpc));
        return;
      }
      const rd = this.core.ready();
      this.counters.readies++;
      phaseTrace?.ready('persist', rd);
      // Nothing of this Ready leaves before it is durable; a full disk holds it here (retried).
      if (!(await this.persist(rd))) return;
      phaseTrace?.ready('persisted', rd);
      if (this.diskFullNoticed) {
        this.diskFullNoticed = false;
        this.opts.notice?.('the disk accepts writes again: the held log record is persisted, going on');
      }
      const answered = new Set<string>();
      for (const m of rd.messages) {
        if (m.rpcId !== undefined) answered.add(m.rpcId);
        this.dispatch(m);
      }
      this.inbound.answerIgnored(stepped, answered, (rpc) => this.ignored(rpc.rpc));
      if (rd.snapshot) this.sm.restore(rd.snapshot.data as Uint8Array);
      for (const e of rd.committed) this.apply(e);
      if (rd.configuration) this.peerBook.follow(rd.configuration);
      this.core.advance(rd);
      this.noteChanges(rd);
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

  /** The 409 for a request the core chose not to answer (a second leader claiming a term, §5.2). */
  private ignored(rpc: string): object {
    return {
      error: 'ignored',
      detail:
        `node ${this.id} (${this.core.role}, term ${this.core.currentTerm}, leader ${this.core.leaderId ?? 'none'}) ` +
        `ignored this ${rpc}: only one leader can exist per term (§5.2), so a second one claiming it is not answered`,
    };
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
    if (m.type === 'request_vote_response' || m.type === 'append_entries_response') {
      const rpc = this.inbound.take(m.rpcId);
      if (!rpc) return;
      this.rpcEvent('send', m, rpc.eventId, rpc.heartbeat);
      rpc.answer(200, encodeResponse(m, this.id));
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
    if (m.type === 'request_vote' || m.type === 'append_entries') this.sendRequest(m);
  }

  private sendRequest(m: RequestVote | AppendEntries): void {
    const id = `${this.id}.${++this.rpcSeq}`;
    this.counters.sent(m);
    this.rpcEvent('send', m, id);
    phaseTrace?.sent(id, m);
    const failed = () => {
      this.counters.rpcFailures++;
      this.whenRunning(() => this.core.unreachable(m.to));
    };
    if (this.faults.cutOutbound.has(m.to)) {
      // A cut network loses the request; the core learns it as it would from a timeout.
      queueMicrotask(failed);
      return;
    }
    this.transport
      .call(m.to, m.type, encodeRequest(m, this.config.advertiseUrl), id)
      .then((raw) => {
        // A reply is a door too: a peer that answers outside the contract counts as unreachable.
        const c =
          m.type === 'request_vote'
            ? parseWire(RequestVoteReplySchema, raw)
            : parseWire(AppendEntriesReplySchema, raw);
        if (!c.ok) throw new Error(`${m.to} answered ${m.type} outside the contract: ${c.detail}`);
        const reply = decodeReply(m, c.value);
        this.whenRunning(() => {
          this.rpcEvent('recv', reply, id, m.type === 'append_entries' && m.entries.length === 0);
          this.core.step(reply);
        });
      })
      .catch(failed);
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
