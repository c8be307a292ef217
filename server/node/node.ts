// The node's shell loop around the pure Raft core: ticks the core on a timer, steps in what
// peers and clients send, and handles every Ready in order: persist (one write + one fsync),
// then send messages and answer HTTP requests, then apply committed entries, then advance.
// Answering only after persisting is what makes a vote or an acknowledgement durable (Figure 2).
// Bodies arrive here already checked against the contract (http-api.ts; replies below).

import type { OutboxView } from '../contract/admin.ts';
import type { LogPage, NodeStatus } from '../contract/node-status.ts';
import type { AppendEntriesBody, RequestVoteBody } from '../contract/raft-rpc.ts';
import { RaftCore } from '../raft/core.ts';
import type { Entry, Message, PersistentState, Proposal, Ready } from '../raft/types.ts';
import { KvStateMachine } from '../statemachine/kv.ts';
import { ClientCommands, type CommandOutcome } from './client-commands.ts';
import type { NodeConfig } from './config.ts';
import { NodeEvents, rpcEventOf } from './events.ts';
import { Faults } from './faults.ts';
import { InboundRpcs, type RpcAnswer } from './inbound-rpcs.ts';
import { OutboundRpcs } from './outbound-rpcs.ts';
import type { Taken } from './outbox.ts';
import { phaseTrace } from './phase-trace.ts';
import { RpcCounters } from './rpc-counters.ts';
import { logPageView, type NodeParts, statusView } from './status-view.ts';
import { describeTornTail, Wal, type WalOptions } from './storage/wal.ts';
import { TimerEvents } from './timer-events.ts';
import { Transport } from './transport.ts';
import { decodeAppendEntries, decodeRequestVote, encodeResponse } from './wire-codec.ts';

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
  private readonly outbound: OutboundRpcs;
  private readonly timerEvents: TimerEvents;
  private readonly heartbeatTicks: number;
  private readonly commands = new ClientCommands();
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
    private readonly opts: RaftNodeOptions,
  ) {
    this.faults = new Faults(config.id, config.noopOnElection);
    this.events = new NodeEvents(config.id);
    this.transport = new Transport(config.id, config.peers, config.rpcTimeoutMs);
    const ticks = (ms: number) => Math.max(1, Math.round(ms / config.tickMs));
    this.heartbeatTicks = ticks(config.heartbeatMs);
    this.core = new RaftCore(
      {
        id: config.id,
        peers: config.peers.map((p) => p.id),
        heartbeatTicks: ticks(config.heartbeatMs),
        electionTicksMin: ticks(config.electionTimeoutMinMs),
        electionTicksMax: ticks(config.electionTimeoutMaxMs),
        random: opts.random ?? Math.random,
        // The state machine is rebuilt from the log: the core re-emits the committed prefix.
        applied: 0,
        noopOnElection: config.noopOnElection,
        // Not wired to HTTP yet: pre_vote messages, and leader stickiness would ignore lesson 10's hand-made request_vote.
        preVote: false,
        checkQuorum: false,
      },
      state,
    );
    this.outbound = new OutboundRpcs(
      {
        faults: this.faults,
        events: this.events,
        transport: this.transport,
        counters: this.counters,
        advertiseUrl: config.advertiseUrl,
        random: opts.random ?? Math.random,
      },
      {
        whenRunning: (f) => this.whenRunning(f),
        step: (reply) => {
          this.core.step(reply);
          this.timerEvents.observe();
        },
        unreachable: (peer) => this.core.unreachable(peer),
      },
    );
    this.timerEvents = new TimerEvents(this.core, this.faults, this.events, config.tickMs);
    this.parts = {
      config,
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
      // The hold lifted: what waited leaves, oldest first.
      if (change === 'hold' && !this.faults.holding) this.outbound.outbox.releaseAll();
      if ((change === 'resume' || change === 'speed') && !this.stopped) this.startTicker();
      if (change === 'pause') this.stopTicker();
      this.timerEvents.observe(true);
    });
  }

  /** Opens the node's write-ahead log and builds the core from what it holds. */
  static async open(config: NodeConfig, opts: RaftNodeOptions = {}): Promise<RaftNode> {
    const { wal, state } = await Wal.open(config.dataDir, opts.wal);
    if (wal.tornTail) opts.notice?.(describeTornTail(wal.file, wal.tornTail));
    return new RaftNode(config, wal, state, opts);
  }

  get id(): string {
    return this.config.id;
  }

  get memberIds(): string[] {
    return [this.config.id, ...this.config.peers.map((p) => p.id)];
  }

  get role(): string {
    return this.core.role;
  }

  start(): void {
    this.startTicker();
  }

  private startTicker(): void {
    this.stopTicker();
    if (this.faults.paused || this.stopped) return;
    this.ticker = setInterval(() => {
      // A learner's paused election timer stands still; a leader's heartbeats go on (§5.2).
      if (!this.faults.timerPaused || this.core.role === 'leader') this.core.tick();
      this.timerEvents.afterTick(this.heartbeatTicks);
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
    this.timerEvents.observe();
    void this.pump();
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
      const persisted = await this.wal.appendRetrying(
        { hardState: rd.hardState, truncateFrom: rd.truncateFrom, entries: rd.entries },
        { retryMs: DISK_FULL_RETRY_MS, stopped: () => this.stopped, onFull: (e) => this.onDiskFull(e) },
      );
      if (!persisted) return;
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
      for (const e of rd.committed) this.apply(e);
      this.core.advance(rd);
      this.noteChanges(rd);
    }
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
      // A reply travels back on the link to the requester: its delay applies (link-faults.ts).
      const delay = this.outbound.replyDelay(rpc.from);
      if (this.events.active) this.events.emit(rpcEventOf('send', m, rpc.eventId, rpc.heartbeat, delay));
      const body = encodeResponse(m, this.id);
      if (delay > 0) setTimeout(() => rpc.answer(200, body), delay);
      else rpc.answer(200, body);
      return;
    }
    if (m.type === 'request_vote' || m.type === 'append_entries')
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

  /**
   * The election timer fires now (RaftScope's "time out"): a follower or candidate starts an
   * election (§5.2). Returns why it cannot: a leader has no election timer; a stopped or paused
   * node does nothing.
   */
  timeoutNow(): string | null {
    if (this.stopped) return `node ${this.id} is stopping`;
    if (this.faults.paused) return `node ${this.id} is paused: resume it first`;
    if (this.core.role === 'leader') {
      return `node ${this.id} is the leader of term ${this.core.currentTerm}: a leader has no election timer (§5.2); time out a follower or a candidate`;
    }
    this.core.campaign();
    this.timerEvents.observe(true);
    void this.pump();
    return null;
  }

  // ---- views ------------------------------------------------------------------------------

  urlOf(id: string): string | null {
    if (id === this.id) return this.config.advertiseUrl;
    return this.leaderUrls.get(id) ?? this.transport.urlOf(id) ?? null;
  }

  status(): NodeStatus {
    return statusView(this.parts);
  }

  logPage(from: number, limit: number): LogPage {
    return logPageView(this.parts, from, limit);
  }
}
