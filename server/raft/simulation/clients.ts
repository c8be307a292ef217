// Simulated clients: they open sessions (`register`, whose entry index becomes the client id),
// send batches of commands to whichever node they think leads, each with its session's next
// sequence number, sometimes retry a recent request with the same client_id/request_id
// (dissertation §6.3), and count a command as acknowledged only when the leader that accepted
// it applies it — which is when the real node answers the HTTP request. They also read
// (dissertation §6.4), and every read the core confirms is checked against what was
// committed when it began.

import type { Entry, NodeId, Proposal, ReadState } from '../types.ts';
import type { SafetyChecker } from './invariants.ts';
import type { Prng } from './prng.ts';
import type { Applied, SimNode } from './sim-node.ts';

interface Pending {
  term: number;
  command: string;
  incarnation: number;
}

export class SimClients {
  private readonly pending = new Map<NodeId, Map<number, Pending>>();
  private readonly recent: Entry[] = [];
  private requestNo = 0;
  /** Open sessions (client id → last sequence number used), learned as `register` entries apply. */
  private readonly sessions = new Map<number, number>();
  acknowledged = 0;
  /** Read id → the index it must reach (everything committed when it began). */
  private readonly reads = new Map<string, number>();
  private readNo = 0;
  readsConfirmed = 0;
  /** Commands acknowledged so far, by command text. */
  readonly acked = new Set<string>();

  constructor(
    private readonly rng: Prng,
    private readonly checker: SafetyChecker,
  ) {}

  /**
   * Sends `count` new commands to `node` (plus, now and then, a `register` at the end of the
   * batch); returns the entries if it accepted them (it leads).
   */
  propose(node: SimNode, count: number): Entry[] {
    const ids = [...this.sessions.keys()];
    const batch: Proposal[] = Array.from({ length: count }, () => {
      this.requestNo++;
      const command = `set k${this.rng.int(0, 7)}=v${this.requestNo}`;
      if (ids.length === 0) return { command };
      const id = this.rng.pick(ids);
      const sequence = this.sessions.get(id)! + 1;
      this.sessions.set(id, sequence);
      return { command, client_id: String(id), request_id: String(sequence) };
    });
    if (this.sessions.size < 4 && this.rng.chance(0.3)) batch.push({ command: 'register' });
    return this.submit(node, batch);
  }

  /** Re-sends one of the last few requests of a session, as a client that timed out would. */
  retry(node: SimNode): void {
    const tracked = this.recent.filter((e) => e.client_id !== undefined);
    if (tracked.length === 0) return;
    const e = this.rng.pick(tracked);
    this.submit(node, [{ command: e.command!, client_id: e.client_id!, request_id: e.request_id! }]);
  }

  /** Asks `node` for a linearizable read; only a leader takes it. */
  read(node: SimNode): void {
    const id = `r${++this.readNo}`;
    const mustReach = this.checker.readBegins();
    if (node.core?.readIndex(id).ok) this.reads.set(id, mustReach);
  }

  /** The core confirmed reads: none may be below what was committed when it began. */
  confirmed(node: SimNode, states: ReadState[]): void {
    for (const s of states) {
      const mustReach = this.reads.get(s.id);
      if (mustReach === undefined) continue;
      this.reads.delete(s.id);
      this.checker.readConfirmed(node.id, s, mustReach);
      this.readsConfirmed++;
    }
  }

  /** A crashed node's HTTP requests die with it: their clients never hear back. */
  crashed(id: NodeId): void {
    this.pending.get(id)?.clear();
  }

  /**
   * True while `id` holds `command` from term `term`. A command a leader accepted in an earlier
   * term does not count: the real node's client has timed out on it (COMMAND_TIMEOUT_MS) and
   * sends again. Without §8's no-op that resend is what lets the leader commit (Figure 8 (e)).
   */
  isWaitingOn(id: NodeId, command: string | null, term: number): boolean {
    for (const p of this.pending.get(id)?.values() ?? [])
      if (p.command === command && p.term === term) return true;
    return false;
  }

  /** Called for every entry any node applies. */
  applied(
    node: SimNode,
    a: Applied,
    leaderTermNow: number,
    leaders: () => Parameters<SafetyChecker['acknowledged']>[2],
  ) {
    if (a.clientId !== undefined && !this.sessions.has(a.clientId)) this.sessions.set(a.clientId, 0);
    const mine = this.pending.get(node.id);
    const p = mine?.get(a.entry.index);
    if (!p) return;
    mine!.delete(a.entry.index);
    if (p.incarnation === node.incarnation && p.term === a.entry.term && p.command === a.entry.command) {
      this.checker.acknowledged(a.entry, leaderTermNow, leaders());
      this.acknowledged++;
      this.acked.add(p.command);
    }
  }

  private submit(node: SimNode, batch: Proposal[]): Entry[] {
    const core = node.core;
    if (!core) return [];
    const result = core.propose(batch);
    if (!result.ok) {
      if (result.reason === 'not_leader' && core.role === 'leader')
        throw new Error(`leader ${node.id} refused a proposal`);
      return [];
    }
    const mine = this.pending.get(node.id) ?? new Map<number, Pending>();
    this.pending.set(node.id, mine);
    for (const e of result.entries) {
      mine.set(e.index, { term: e.term, command: e.command!, incarnation: node.incarnation });
      this.recent.push(e);
    }
    if (this.recent.length > 6) this.recent.splice(0, this.recent.length - 6);
    return result.entries;
  }
}
