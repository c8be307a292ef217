// The safety properties of Raft (paper Figure 3), checked while a simulation runs:
// election safety (across configurations), log matching, leader completeness, state
// machine safety, that an acknowledged client command survives in every later leader's
// log — and the rules the production additions must keep: a snapshot holds exactly the
// committed prefix and nothing committed is lost around one (paper §7), reads are never
// stale (dissertation §6.4), and configurations change one server at a time, one change
// at a time, only after the leader committed an entry of its term (§4.1, raft-dev 2015).

import type { RaftCore } from '../core.ts';
import { majority } from '../quorum.ts';
import type {
  Configuration,
  Entry,
  Message,
  NodeId,
  PersistentState,
  ReadState,
  Ready,
  SnapshotMeta,
} from '../types.ts';

export class SafetyViolation extends Error {}

const sameMembers = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const sameConfiguration = (a: Configuration, b: Configuration) =>
  sameMembers(a.voters, b.voters) && sameMembers(a.learners, b.learners);

const keyOf = (e: Entry) =>
  `${e.term}|${e.type}|${e.command}|${e.client_id ?? ''}|${e.request_id ?? ''}|${e.config ? JSON.stringify(e.config) : ''}`;

interface Known {
  key: string;
  /** Lowest term of a node that saw this index committed (its leader declared it in that term). */
  term: number;
}

export class SafetyChecker {
  constructor(private readonly bootstrap: Configuration) {
    this.lastCommittedConfig = bootstrap;
  }

  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** (index, term) → the entry's content and the term of the entry before it (log matching). */
  private readonly seen = new Map<string, { key: string; prevTerm: number }>();
  private readonly committed = new Map<number, Known>();
  private maxCommitted = 0;
  private lastCommittedConfig: Configuration;
  private lastCommittedConfigIndex = 0;
  private readonly appliedAt = new Map<number, { key: string; result: string | null }>();
  private readonly acked = new Map<number, Known>();
  /** (voter, term) → the candidate it granted its vote to. */
  private readonly votes = new Map<string, NodeId>();
  /** client_id/request_id → index and result of its first application. */
  private readonly requests = new Map<string, { index: number; result: string | null }>();

  /**
   * Election safety: at most one leader per term (§5.2), and it won with votes of that term
   * from a majority of the voters of its own configuration (learners do not count, §4.2.1).
   */
  leaderSeen(id: NodeId, core: RaftCore): void {
    const term = core.currentTerm;
    const other = this.leaderOfTerm.get(term);
    if (other === undefined) {
      this.leaderOfTerm.set(term, id);
      const voters = core.configuration.voters;
      let votes = voters.includes(id) ? 1 : 0;
      for (const v of voters) if (v !== id && this.votes.get(`${v}@${term}`) === id) votes++;
      if (votes < majority(voters.length)) {
        throw new SafetyViolation(
          `${id} leads term ${term} with only ${votes} votes of that term from voters ${voters.join(',')}`,
        );
      }
      // A new leader must already hold every committed and every acknowledged entry.
      for (const [index, c] of this.committed) this.leaderHas(id, core, index, c, 'committed');
      for (const [index, a] of this.acked) this.leaderHas(id, core, index, a, 'acknowledged');
    } else if (other !== id) {
      throw new SafetyViolation(`election safety: both ${other} and ${id} lead term ${term}`);
    }
  }

  /**
   * Checked on every Ready, before the shell persists it (`stored` is its disk): nothing
   * committed is deleted except what a snapshot of the committed prefix replaces; log
   * matching for every entry entering a log; the membership rules for configuration
   * entries a leader appends.
   */
  readyTaken(id: NodeId, core: RaftCore, ready: Ready, stored: PersistentState): void {
    if (ready.truncateFrom !== undefined) {
      for (const e of stored.log) {
        if (e.index >= ready.truncateFrom && this.committed.get(e.index)?.key === keyOf(e)) {
          throw new SafetyViolation(`node ${id} deleted committed entry ${e.index}`);
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
      if (e.type === 'config' && core.role === 'leader' && e.term === core.currentTerm) {
        this.configChangeAllowed(id, core, e, ready.entries);
      }
    }
  }

  /**
   * What a node tells others must already be on its disk (Figure 2: persistent state is
   * updated before responding to RPCs): the term it speaks in, a vote it grants, and the
   * entries (or snapshot) it acknowledges. Otherwise a crash could make it take them back.
   */
  durableBeforeSend(stored: PersistentState, m: Message): void {
    const id = m.from;
    // §9.6: a PreVote names the term its sender would run in; a grant of one, the asker's.
    if (m.type === 'pre_vote_response' && m.voteGranted) return;
    if (m.term > stored.currentTerm + (m.type === 'pre_vote' ? 1 : 0)) {
      throw new SafetyViolation(`node ${id} sent term ${m.term} while its disk says ${stored.currentTerm}`);
    }
    // A message of an older term may leave in the same Ready as a newer term; it is stale
    // but harmless, and its vote or entries may legitimately be superseded on disk.
    if (m.term < stored.currentTerm) return;
    if (m.type === 'request_vote_response' && m.voteGranted && stored.votedFor !== m.to) {
      throw new SafetyViolation(`node ${id} granted a vote to ${m.to} before persisting it`);
    }
    const held = Math.max(stored.log.at(-1)?.index ?? 0, stored.snapshot?.index ?? 0);
    const acked =
      (m.type === 'append_entries_response' && m.success) || m.type === 'install_snapshot_response'
        ? m.matchIndex
        : 0;
    if (acked > held)
      throw new SafetyViolation(`node ${id} acknowledged index ${acked} before persisting it`);
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
      if (!known && e.type === 'config') {
        this.removalCommitted(e.config!);
        if (e.index > this.lastCommittedConfigIndex) {
          this.lastCommittedConfigIndex = e.index;
          this.lastCommittedConfig = e.config!;
        }
      }
      if (!known || core.currentTerm < known.term) {
        const c = { key, term: core.currentTerm };
        this.committed.set(e.index, c);
        if (e.index > this.maxCommitted) this.maxCommitted = e.index;
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

  /**
   * Paper §7: a snapshot (taken or received) is exactly the committed prefix up to its index:
   * same entries, its last term, and the configuration in effect there.
   */
  snapshotHolds(id: NodeId, meta: SnapshotMeta, image: Entry[] | undefined): void {
    if (!image || image.length !== meta.index) {
      throw new SafetyViolation(`node ${id}: snapshot ${meta.index} holds ${image?.length ?? 'no'} entries`);
    }
    for (const e of image) {
      if (this.committed.get(e.index)?.key !== keyOf(e)) {
        throw new SafetyViolation(
          `node ${id}: snapshot ${meta.index} holds entry ${e.index}, which is not the committed one`,
        );
      }
    }
    if ((image.at(-1)?.term ?? 0) !== meta.term) {
      throw new SafetyViolation(
        `node ${id}: snapshot ${meta.index} says term ${meta.term}, its last entry differs`,
      );
    }
    const config = image.findLast((e) => e.type === 'config')?.config ?? this.bootstrap;
    if (!sameConfiguration(config, meta.config)) {
      throw new SafetyViolation(
        `node ${id}: snapshot ${meta.index} carries a configuration that was not in effect there`,
      );
    }
  }

  /** Dissertation §6.4: the index every read must reach — what was committed when it began. */
  readBegins(): number {
    return this.maxCommitted;
  }

  /** A read taken when `mustReach` was committed came back with a read index below it: stale. */
  readConfirmed(id: NodeId, state: ReadState, mustReach: number): void {
    if (state.index < mustReach) {
      throw new SafetyViolation(
        `stale read: node ${id} confirmed read ${state.id} at index ${state.index}, but ${mustReach} was committed before it began`,
      );
    }
  }

  /** The configuration of the latest committed configuration entry (the bootstrap one before any). */
  committedConfiguration(): Configuration {
    return this.lastCommittedConfig;
  }

  /** commitIndex never goes back while a node runs (it is volatile, so it may after a restart). */
  commitMoved(id: NodeId, before: number, now: number): void {
    if (now < before) throw new SafetyViolation(`node ${id}: commitIndex went back from ${before} to ${now}`);
  }

  /** The slower whole-cluster check: pairwise log matching over entire logs. */
  fullCheck(cores: Array<[NodeId, RaftCore]>): void {
    for (const [id, core] of cores) {
      if (core.commitIndex > core.lastIndex())
        throw new SafetyViolation(`node ${id}: commitIndex past its log`);
      if (core.lastApplied > core.commitIndex)
        throw new SafetyViolation(`node ${id}: applied past commitIndex`);
      if (core.role === 'leader') this.leaderSeen(id, core);
      // Terms never decrease along a log, from the snapshot's last term on (Figure 2).
      for (let i = core.firstIndex(); i <= core.lastIndex(); i++) {
        if (core.termAt(i) < core.termAt(i - 1)) {
          throw new SafetyViolation(
            `node ${id}: entry ${i} of term ${core.termAt(i)} follows term ${core.termAt(i - 1)}`,
          );
        }
      }
    }
    const logs = cores.map(([id, core]) => ({
      id,
      core,
      first: core.firstIndex(),
      keys: core.entries(core.firstIndex(), core.lastIndex()).map(keyOf),
    }));
    for (let i = 0; i < logs.length; i++) {
      for (let j = i + 1; j < logs.length; j++) {
        const a = logs[i]!;
        const b = logs[j]!;
        const lo = Math.max(a.first, b.first);
        let common = Math.min(a.core.lastIndex(), b.core.lastIndex());
        while (common >= lo && a.core.termAt(common) !== b.core.termAt(common)) common--;
        for (let k = lo; k <= common; k++) {
          if (a.keys[k - a.first] !== b.keys[k - b.first])
            throw new SafetyViolation(`log matching: ${a.id} and ${b.id} differ at ${k}`);
        }
      }
    }
  }

  /**
   * Dissertation §4.1 and the 2015 fix, for a configuration entry a leader just appended: it
   * changes one server, the previous configuration entry is committed, and the leader had
   * committed an entry of its own term first.
   */
  private configChangeAllowed(id: NodeId, core: RaftCore, e: Entry, fresh: Entry[]): void {
    let prev: Entry | undefined = fresh.filter((x) => x.index < e.index && x.type === 'config').at(-1);
    if (!prev) prev = core.entries(core.firstIndex(), e.index - 1).findLast((x) => x.type === 'config');
    const before = prev?.config ?? core.snapshot.config;
    const status = (c: Configuration, n: NodeId) =>
      c.voters.includes(n) ? 'v' : c.learners.includes(n) ? 'l' : '-';
    const all = new Set([...before.voters, ...before.learners, ...e.config!.voters, ...e.config!.learners]);
    const changed = [...all].filter((n) => status(before, n) !== status(e.config!, n));
    if (changed.length > 1) {
      throw new SafetyViolation(
        `leader ${id} changed ${changed.join(',')} at once at ${e.index} (§4.1: one server at a time)`,
      );
    }
    if (prev && this.committed.get(prev.index)?.key !== keyOf(prev)) {
      throw new SafetyViolation(
        `leader ${id} appended a configuration at ${e.index} before the one at ${prev.index} committed`,
      );
    }
    const ownCommitted = [...this.committed].some(([i, c]) => i < e.index && c.key.startsWith(`${e.term}|`));
    if (!ownCommitted) {
      throw new SafetyViolation(
        `leader ${id} changed the configuration at ${e.index} before committing an entry of its term ${e.term}`,
      );
    }
  }

  /**
   * A server the committed configuration leaves out may lose its disk and be added again as a
   * new server; votes its earlier life gave can no longer decide anything (§4.1), so they are
   * forgotten rather than held against the new one.
   */
  private removalCommitted(config: Configuration): void {
    for (const slot of [...this.votes.keys()]) {
      const voter = slot.slice(0, slot.lastIndexOf('@'));
      if (!config.voters.includes(voter) && !config.learners.includes(voter)) this.votes.delete(slot);
    }
  }

  /** Leader completeness (§5.4): a leader of a term at or after `known.term` holds the entry. */
  private leaderHas(id: NodeId, leader: RaftCore, index: number, known: Known, what: string): void {
    if (leader.currentTerm < known.term) return;
    // In its snapshot: checked against the committed prefix when it was stored.
    if (index < leader.firstIndex()) return;
    const [e] = leader.entries(index, index);
    if (!e || keyOf(e) !== known.key) {
      throw new SafetyViolation(
        `leader completeness: leader ${id} of term ${leader.currentTerm} lacks ${what} entry ${index} (term ${known.term})`,
      );
    }
  }
}
