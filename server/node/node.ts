// The node's shell loop around the pure Raft core: ticks the core on a timer, steps in what
// peers and clients send, and handles every Ready in order: persist (one write + one fsync),
// then send messages and answer HTTP requests, then apply committed entries, then advance.
// Answering only after persisting is what makes a vote or an acknowledgement durable (Figure 2).

import { RaftCore } from '../raft/core.ts';
import { isWellFormed } from '../raft/message-checks.ts';
import type { AppendEntries, Entry, Message, PersistentState, Ready, RequestVote } from '../raft/types.ts';
import { KvStateMachine } from '../statemachine/kv.ts';
import { ClientCommands, type CommandOutcome } from './client-commands.ts';
import type { NodeConfig } from './config.ts';
import { NodeEvents, rpcEventOf } from './events.ts';
import { Faults } from './faults.ts';
import { Wal } from './storage/wal.ts';
import { Transport } from './transport.ts';
import {
  type AppendEntriesBody,
  type ClientCommandBody,
  checkAppendEntriesReply,
  checkRequestVoteReply,
  type RequestVoteBody,
} from './validation.ts';
import {
  decodeAppendEntries,
  decodeReply,
  decodeRequestVote,
  encodeRequest,
  encodeResponse,
} from './wire-codec.ts';

/** How an inbound RPC is answered; `status` 200 carries the core's response. */
export type RpcAnswer = (status: number, body: Record<string, unknown>) => void;

interface InboundRpc {
  answer: RpcAnswer;
  eventId: string;
  rpc: 'request_vote' | 'append_entries';
  from: string;
  heartbeat: boolean;
}

export interface NodeMetrics {
  readies: number;
  append_entries_sent: number;
  append_entries_with_entries_sent: number;
  entries_sent: number;
  request_votes_sent: number;
  rpc_failures: number;
}

export interface RaftNodeOptions {
  /** Called when the node cannot go on safely (e.g. the disk refused a write). */
  onFatal?: (err: unknown) => void;
  random?: () => number;
  /** Told about every role or leader change (main.ts logs it). */
  onStateChange?: (role: string, term: number, leaderId: string | null) => void;
}

const STATUS_LOG_LIMIT = 1000;

export class RaftNode {
  readonly faults: Faults;
  readonly events: NodeEvents;
  readonly metrics: NodeMetrics = {
    readies: 0,
    append_entries_sent: 0,
    append_entries_with_entries_sent: 0,
    entries_sent: 0,
    request_votes_sent: 0,
    rpc_failures: 0,
  };
  private readonly core: RaftCore;
  private readonly sm = new KvStateMachine();
  private readonly transport: Transport;
  private readonly inbound = new Map<string, InboundRpc>();
  /** Requests stepped into the core whose response has not come out of a Ready yet. */
  private stepped: string[] = [];
  private readonly commands = new ClientCommands();
  /** What peers said while the node was paused; stepped in on resume (a frozen process reads its sockets late). */
  private held: (() => void)[] = [];
  private readonly leaderUrls = new Map<string, string>();
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private flushScheduled = false;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private rpcSeq = 0;
  private stopped = false;
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
    this.last = { role: 'follower', term: this.core.currentTerm, leaderId: null, commitIndex: 0 };
    this.faults.onChange((change) => {
      if (change === 'resume') {
        const run = this.held;
        this.held = [];
        for (const f of run) f();
        void this.pump();
      }
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
    const { wal, state } = await Wal.open(config.dataDir);
    return new RaftNode(config, wal, state, opts);
  }

  get id(): string {
    return this.config.id;
  }

  get memberIds(): string[] {
    return [this.config.id, ...this.config.peers.map((p) => p.id)];
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

  /** A request_vote or append_entries from a peer (or a learner); `answer` is called after persisting. */
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
    if (!isWellFormed(msg)) {
      answer(400, {
        error: 'bad_request',
        detail: `this ${rpc} cannot be a real Raft message (check last/prev index and term pairs, and entry terms)`,
      });
      return;
    }
    const from = msg.from;
    const id = eventId ?? `${this.id}.${rpcId}`;
    this.inbound.set(rpcId, {
      answer,
      eventId: id,
      rpc,
      from,
      heartbeat: msg.type === 'append_entries' && msg.entries.length === 0,
    });
    if (msg.type === 'append_entries') {
      const url = (body as AppendEntriesBody).leader_url;
      if (url !== undefined && msg.term >= this.core.currentTerm) this.leaderUrls.set(msg.leaderId, url);
    }
    this.rpcEvent('recv', msg, id);
    this.core.step(msg);
    this.stepped.push(rpcId);
    void this.pump();
  }

  /** A client command; resolves once it is committed and applied, or cannot be. */
  submit(proposal: ClientCommandBody): Promise<CommandOutcome> {
    if (this.stopped) return Promise.resolve({ kind: 'stopping' });
    if (this.core.role !== 'leader') return Promise.resolve(this.notLeader());
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
      const stepped = this.stepped;
      this.stepped = [];
      if (!this.core.hasReady()) {
        this.answerIgnored(stepped, new Set());
        return;
      }
      const rd = this.core.ready();
      this.metrics.readies++;
      await this.wal.append({ hardState: rd.hardState, truncateFrom: rd.truncateFrom, entries: rd.entries });
      const answered = new Set<string>();
      for (const m of rd.messages) {
        if (m.rpcId !== undefined) answered.add(m.rpcId);
        this.dispatch(m);
      }
      this.answerIgnored(stepped, answered);
      for (const e of rd.committed) this.apply(e);
      this.core.advance(rd);
      this.noteChanges(rd);
    }
  }

  /** Requests the core chose not to answer (e.g. a second leader claiming the same term, §5.2). */
  private answerIgnored(stepped: string[], answered: Set<string>): void {
    for (const rpcId of stepped) {
      if (answered.has(rpcId)) continue;
      const rpc = this.inbound.get(rpcId);
      if (!rpc) continue;
      this.inbound.delete(rpcId);
      rpc.answer(409, {
        error: 'ignored',
        detail:
          `node ${this.id} (${this.core.role}, term ${this.core.currentTerm}, leader ${this.core.leaderId ?? 'none'}) ` +
          `ignored this ${rpc.rpc}: only one leader can exist per term (§5.2), so a second one claiming it is not answered`,
      });
    }
  }

  private dispatch(m: Message): void {
    if (m.type === 'request_vote_response' || m.type === 'append_entries_response') {
      const rpc = m.rpcId === undefined ? undefined : this.inbound.get(m.rpcId);
      if (!rpc) return;
      this.inbound.delete(m.rpcId!);
      this.rpcEvent('send', m, rpc.eventId, rpc.heartbeat);
      rpc.answer(200, encodeResponse(m, this.id));
      return;
    }
    if (m.type === 'request_vote' || m.type === 'append_entries') this.sendRequest(m);
  }

  private sendRequest(m: RequestVote | AppendEntries): void {
    const id = `${this.id}.${++this.rpcSeq}`;
    if (m.type === 'request_vote') this.metrics.request_votes_sent++;
    else {
      this.metrics.append_entries_sent++;
      if (m.entries.length > 0) this.metrics.append_entries_with_entries_sent++;
      this.metrics.entries_sent += m.entries.length;
    }
    this.rpcEvent('send', m, id);
    const failed = () => {
      this.metrics.rpc_failures++;
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
        const c = m.type === 'request_vote' ? checkRequestVoteReply(raw) : checkAppendEntriesReply(raw);
        if (!c.ok) throw new Error(c.detail);
        const reply = decodeReply(m, c.value);
        this.whenRunning(() => {
          this.rpcEvent('recv', reply, id, m.type === 'append_entries' && m.entries.length === 0);
          this.core.step(reply);
        });
      })
      .catch(failed);
  }

  private whenRunning(f: () => void): void {
    if (this.stopped) return;
    if (this.faults.paused) {
      this.held.push(f);
      return;
    }
    f();
    void this.pump();
  }

  private apply(e: Entry): void {
    const r = this.sm.apply(e);
    this.commands.applied(e, r.result, !!r.duplicate);
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
    return this.leaderUrls.get(id) ?? this.transport.urlOf(id) ?? null;
  }

  get role(): string {
    return this.core.role;
  }

  status(): Record<string, unknown> {
    const last = this.core.lastIndex();
    const start = Math.max(1, last - STATUS_LOG_LIMIT + 1);
    const leaderId = this.core.leaderId;
    const progress = this.core.progress();
    const ws = this.wal.stats;
    return {
      node_id: this.id,
      state: this.core.role,
      term: this.core.currentTerm,
      voted_for: this.core.votedFor,
      leader_id: leaderId,
      leader_url: leaderId === null ? null : this.urlOf(leaderId),
      commit_index: this.core.commitIndex,
      last_applied: this.core.lastApplied,
      log_start: start,
      log_length: last,
      log: last === 0 ? [] : this.core.entries(start, last),
      kv: this.sm.kv(),
      peers: this.config.peers.map((p) => ({ id: p.id, url: p.url })),
      progress:
        progress === null
          ? null
          : Object.fromEntries(
              Object.entries(progress).map(([id, p]) => [
                id,
                { next_index: p.nextIndex, match_index: p.matchIndex },
              ]),
            ),
      faults: this.faults.toJSON(),
      metrics: {
        ...this.metrics,
        proposals: this.commands.proposals,
        proposal_batches: this.commands.batches,
        fsyncs: ws.fsyncs,
        entries_persisted: ws.entriesWritten,
        entries_per_fsync: ws.fsyncs === 0 ? 0 : Math.round((ws.entriesWritten / ws.fsyncs) * 100) / 100,
        wal_bytes: ws.fileBytes,
        wal_compactions: ws.compactions,
      },
    };
  }

  logPage(from: number, limit: number): Record<string, unknown> {
    const last = this.core.lastIndex();
    const to = Math.min(last, from + limit - 1);
    return {
      node_id: this.id,
      from,
      entries: from > last ? [] : this.core.entries(from, to),
      last_index: last,
      commit_index: this.core.commitIndex,
      next: to < last ? to + 1 : null,
    };
  }
}
