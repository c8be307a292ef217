// The safety properties of Raft (paper Figure 3), checked while a simulation runs:
// election safety, log matching, leader completeness, state machine safety, and that
// an acknowledged client command survives in every later leader's log.

import type { RaftCore } from '../core.ts';
import { majority } from '../quorum.ts';
import type { Entry, Message, NodeId, PersistentState, Ready } from '../types.ts';

export class SafetyViolation extends Error {}

const keyOf = (e: Entry) => `${e.term}|${e.type}|${e.command}|${e.client_id ?? ''}|${e.request_id ?? ''}`;

interface Known {
  key: string;
  /** Lowest term of a node that saw this index committed (its leader declared it in that term). */
  term: number;
}

export class SafetyChecker {
  constructor(private readonly clusterSize: number) {}

  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** (index, term) → the entry's content and the term of the entry before it (log matching). */
  private readonly seen = new Map<string, { key: string; prevTerm: number }>();
  private readonly committed = new Map<number, Known>();
  private readonly appliedAt = new Map<number, { key: string; result: string | null }>();
  private readonly acked = new Map<number, Known>();
  /** (voter, term) → the candidate it granted its vote to. */
  private readonly votes = new Map<string, NodeId>();
  /** client_id/request_id → index and result of its first application. */
  private readonly requests = new Map<string, { index: number; result: string | null }>();

  /** Election safety: at most one leader per term (§5.2). */
  leaderSeen(id: NodeId, core: RaftCore): void {
    const term = core.currentTerm;
    const other = this.leaderOfTerm.get(term);
    if (other === undefined) {
      this.leaderOfTerm.set(term, id);
      // §5.2: it won with votes of this very term from a majority (itself included).
      let votes = 1;
      for (const [slot, candidate] of this.votes) if (candidate === id && slot.endsWith(`@${term}`)) votes++;
      if (votes < majority(this.clusterSize)) {
        throw new SafetyViolation(`${id} leads term ${term} with only ${votes} votes of that term`);
      }
      // A new leader must already hold every committed and every acknowledged entry.
      for (const [index, c] of this.committed) this.leaderHas(id, core, index, c, 'committed');
      for (const [index, a] of this.acked) this.leaderHas(id, core, index, a, 'acknowledged');
    } else if (other !== id) {
      throw new SafetyViolation(`election safety: both ${other} and ${id} lead term ${term}`);
    }
  }

  /**
   * Log matching, checked on every entry as it enters any log (all do so through a Ready):
   * an (index, term) pair always names the same entry, preceded by the same term, so two
   * logs agreeing on one entry agree on all before it.
   */
  readyTaken(id: NodeId, core: RaftCore, ready: Ready, stored: PersistentState): void {
    // Followers never lose committed entries: a truncation must stop short of them.
    if (ready.truncateFrom !== undefined) {
      for (let i = ready.truncateFrom; i <= stored.log.length; i++) {
        if (this.committed.get(i)?.key === keyOf(stored.log[i - 1]!)) {
          throw new SafetyViolation(`node ${id} deleted committed entry ${i}`);
        }
      }
    }
    let prevTerm = ready.entries[0] ? core.termAt(ready.entries[0].index - 1) : 0;
    for (const e of ready.entries) {
      const slot = `${e.index}:${e.term}`;
      const key = keyOf(e);
      const known = this.seen.get(slot);
      if (!known) this.seen.set(slot, { key, prevTerm });
      else if (known.key !== key || known.prevTerm !== prevTerm) {
        throw new SafetyViolation(`log matching: node ${id} holds a different entry at ${slot}`);
      }
      prevTerm = e.term;
    }
  }

  /**
   * What a node tells others must already be on its disk (Figure 2: persistent state is
   * updated before responding to RPCs): the term it speaks in, a vote it grants, and the
   * entries it acknowledges. Otherwise a crash could make it take them back.
   */
  durableBeforeSend(stored: PersistentState, m: Message): void {
    const id = m.from;
    if (m.term > stored.currentTerm) {
      throw new SafetyViolation(`node ${id} sent term ${m.term} while its disk says ${stored.currentTerm}`);
    }
    // A message of an older term may leave in the same Ready as a newer term; it is stale
    // but harmless, and its vote or entries may legitimately be superseded on disk.
    if (m.term < stored.currentTerm) return;
    if (m.type === 'request_vote_response' && m.voteGranted && stored.votedFor !== m.to) {
      throw new SafetyViolation(`node ${id} granted a vote to ${m.to} before persisting it`);
    }
    if (m.type === 'append_entries_response' && m.success && stored.log.length < m.matchIndex) {
      throw new SafetyViolation(`node ${id} acknowledged index ${m.matchIndex} before persisting it`);
    }
  }

  /**
   * §5.2 across crashes: a node grants at most one vote per term, even if it restarts in
   * between (so votedFor must have been durable before the grant left).
   */
  voteSent(m: Message): void {
    if (m.type !== 'request_vote_response' || !m.voteGranted) return;
    const slot = `${m.from}@${m.term}`;
    const before = this.votes.get(slot);
    if (before === undefined) this.votes.set(slot, m.to);
    else if (before !== m.to) {
      throw new SafetyViolation(`node ${m.from} voted for both ${before} and ${m.to} in term ${m.term}`);
    }
  }

  /**
   * Dissertation §6.3: a request is applied at most once, however much later it is retried: a
   * retry is either a duplicate that returns the first result or refused (expired session or
   * request), never applied again.
   */
  requestApplied(e: Entry, a: { result: string | null; duplicate: boolean; refused: boolean }): void {
    if (e.client_id === undefined || e.request_id === undefined || a.refused) return;
    const slot = `${e.client_id}/${e.request_id}`;
    const first = this.requests.get(slot);
    if (!first || first.index === e.index) {
      if (!a.duplicate) this.requests.set(slot, { index: e.index, result: a.result });
      return;
    }
    if (!a.duplicate || a.result !== first.result) {
      throw new SafetyViolation(`request ${slot} applied twice (at ${first.index} and ${e.index})`);
    }
  }

  /** Records a node's newly committed entries: a committed index never changes its entry. */
  commitSeen(id: NodeId, core: RaftCore, from: number, leaders: Array<[NodeId, RaftCore]>): void {
    for (const e of core.entries(from, core.commitIndex)) {
      const key = keyOf(e);
      const known = this.committed.get(e.index);
      if (known && known.key !== key) {
        throw new SafetyViolation(`node ${id} committed a different entry at ${e.index}`);
      }
      if (!known || core.currentTerm < known.term) {
        const c = { key, term: core.currentTerm };
        this.committed.set(e.index, c);
        for (const [lid, leader] of leaders) this.leaderHas(lid, leader, e.index, c, 'committed');
      }
    }
  }

  /** State machine safety: no two nodes apply different entries (or get different results) at one index. */
  applied(id: NodeId, e: Entry, result: string | null): void {
    const key = keyOf(e);
    const known = this.appliedAt.get(e.index);
    if (!known) {
      this.appliedAt.set(e.index, { key, result });
      const c = this.committed.get(e.index);
      if (!c || c.key !== key) throw new SafetyViolation(`node ${id} applied uncommitted entry ${e.index}`);
    } else if (known.key !== key || known.result !== result) {
      throw new SafetyViolation(
        `state machine safety: node ${id} applied a different entry or result at ${e.index}`,
      );
    }
  }

  /**
   * A client was told its command succeeded by the leader of `term`: every leader of that
   * term or a later one must keep it. (The entry's own term may be older: it then became
   * committed through a later leader, and stale leaders in between need not hold it.)
   */
  acknowledged(e: Entry, term: number, leaders: Array<[NodeId, RaftCore]>): void {
    const a = { key: keyOf(e), term };
    this.acked.set(e.index, a);
    for (const [lid, leader] of leaders) this.leaderHas(lid, leader, e.index, a, 'acknowledged');
  }

  /** The slower whole-cluster check: pairwise log matching over entire logs. */
  fullCheck(cores: Array<[NodeId, RaftCore]>): void {
    for (const [id, core] of cores) {
      if (core.commitIndex > core.lastIndex())
        throw new SafetyViolation(`node ${id}: commitIndex past its log`);
      if (core.lastApplied > core.commitIndex)
        throw new SafetyViolation(`node ${id}: applied past commitIndex`);
      if (core.role === 'leader') this.leaderSeen(id, core);
    }
    const logs = cores.map(([id, core]) => ({
      id,
      core,
      keys: core.entries(1, core.lastIndex()).map(keyOf),
    }));
    for (let i = 0; i < logs.length; i++) {
      for (let j = i + 1; j < logs.length; j++) {
        const a = logs[i]!;
        const b = logs[j]!;
        let common = Math.min(a.keys.length, b.keys.length);
        while (common > 0 && a.core.termAt(common) !== b.core.termAt(common)) common--;
        for (let k = 0; k < common; k++) {
          if (a.keys[k] !== b.keys[k])
            throw new SafetyViolation(`log matching: ${a.id} and ${b.id} differ at ${k + 1}`);
        }
      }
    }
  }

  /** Leader completeness (§5.4): a leader of a term at or after `known.term` holds the entry. */
  private leaderHas(id: NodeId, leader: RaftCore, index: number, known: Known, what: string): void {
    if (leader.currentTerm < known.term) return;
    const [e] = leader.entries(index, index);
    if (!e || keyOf(e) !== known.key) {
      throw new SafetyViolation(
        `leader completeness: leader ${id} of term ${leader.currentTerm} lacks ${what} entry ${index} (term ${known.term})`,
      );
    }
  }
}
