// The simulated operator: changes the membership through the leader one server at a time
// (dissertation §4.1: add a learner, promote it once it keeps up, remove a server), hands
// leadership over (§3.10), and sometimes a server loses its disk. Such a server comes back
// only the safe way: removed from the configuration, then added again as a new, empty
// server (joining as a learner, §4.2.1) — never by restarting it empty as a voter, which
// could make it vote twice in one term.

import type { RaftCore } from '../core.ts';
import type { Configuration, MembershipChange, NodeId } from '../types.ts';
import type { Prng } from './prng.ts';
import type { SimNode } from './sim-node.ts';

export interface OperatorRates {
  /** Chance per tick of trying a membership change (0 = never). */
  membership: number;
  /** Chance per tick that a member loses its disk (only while membership changes are on). */
  wipe: number;
  /** Disks are lost only up to this tick, so that there is time to bring the server back. */
  wipeUntil: number;
  /** Chance per tick of asking the leader to hand over (§3.10). */
  transfer: number;
}

export interface OperatorStats {
  membershipChanges: number;
  wipes: number;
  reAdded: number;
  transfers: number;
  removedStopped: number;
}

const MAX_MEMBERS = 6;
/** Chance per tick of a repairing change while a server is down for good or a learner waits. */
const REPAIR_RATE = 0.2;

export class Operator {
  /** Disk lost; down until removed from the configuration, then re-added as a new server. */
  private readonly wiped = new Set<NodeId>();
  /** Removed and shut down (or never started); may be added again. */
  private readonly stopped = new Set<NodeId>();
  /** Removed servers to shut down once a committed configuration leaves them out. */
  private readonly toStop = new Set<NodeId>();
  /** Servers this operator removed (the entry was appended) and has not added again. */
  private readonly removed = new Set<NodeId>();
  readonly stats: OperatorStats = {
    membershipChanges: 0,
    wipes: 0,
    reAdded: 0,
    transfers: 0,
    removedStopped: 0,
  };

  constructor(
    private readonly rng: Prng,
    private readonly rates: OperatorRates,
    private readonly nodes: Map<NodeId, SimNode>,
    private readonly lifecycle: { crash(node: SimNode): void; restart(node: SimNode): void },
    private readonly committedConfiguration: () => Configuration,
    private readonly trace: ((line: string) => void) | undefined,
    spares: NodeId[],
  ) {
    for (const id of spares) this.stopped.add(id);
  }

  /** Crashed nodes a restart brings back (the operator's wiped and stopped servers stay down). */
  mayRestart(id: NodeId): boolean {
    return !this.wiped.has(id) && !this.stopped.has(id);
  }

  /**
   * One tick of the operator's work, against the current leader (if any). Once the faults
   * stop (`calm`), it only brings back servers that lost their disk and promotes learners.
   */
  act(now: number, currentLeader: () => SimNode | undefined, calm = false): void {
    this.stopRemoved(now);
    if (calm) {
      if (this.rates.membership > 0 && this.rng.chance(REPAIR_RATE)) {
        const leader = currentLeader();
        if (leader?.core) this.change(now, leader, leader.core, true);
      }
      return;
    }
    const wantsTransfer = this.rates.transfer > 0 && this.rng.chance(this.rates.transfer);
    // A server that lost its disk is seen to at once: until it is back, the cluster runs one short.
    const rate = this.wiped.size > 0 ? REPAIR_RATE : this.rates.membership;
    const wantsChange = this.rates.membership > 0 && this.rng.chance(rate);
    if (!wantsTransfer && !wantsChange) return;
    const leader = currentLeader();
    const core = leader?.core;
    if (leader && core && wantsTransfer) {
      const others = core.configuration.voters.filter((v) => v !== leader.id);
      if (others.length > 0 && core.transferLeadership(this.rng.pick(others)).ok) {
        this.stats.transfers++;
        this.trace?.(`${now} transfer from ${leader.id}`);
      }
    }
    if (!wantsChange) return;
    const wipe = this.wiped.size === 0 && now <= this.rates.wipeUntil;
    if (wipe && this.rng.chance(this.rates.wipe / this.rates.membership)) {
      this.wipeOne(now, core);
      return;
    }
    if (leader && core) this.change(now, leader, core, false);
  }

  private change(now: number, leader: SimNode, core: RaftCore, repairOnly: boolean): void {
    const change = this.pickChange(core, repairOnly);
    if (!change) return;
    const r = core.changeMembership(change);
    this.trace?.(
      `${now} ${change.kind} ${change.id} at ${leader.id}: ${r.ok ? `index ${r.entry.index}` : r.reason}`,
    );
    if (!r.ok) return;
    this.stats.membershipChanges++;
    if (change.kind === 'add_learner') this.start(change.id);
    else if (change.kind === 'remove') {
      this.removed.add(change.id);
      // Some removed servers are shut down; the others keep running and may disrupt (§4.2.3).
      if (this.rng.chance(0.5)) this.toStop.add(change.id);
    }
  }

  /**
   * Shuts down the running servers it removed that `disruptive` says would disturb elections —
   * as long as every configuration in play (the committed one, and each server's latest) keeps
   * a live majority without them: if the removal was cut, the server is still a member.
   */
  shutDownRemoved(now: number, disruptive: (node: SimNode) => boolean): void {
    const configs = [this.committedConfiguration()];
    for (const x of this.nodes.values())
      if (x.core?.configuration.voters.length) configs.push(x.core.configuration);
    for (const id of this.removed) {
      const node = this.nodes.get(id)!;
      if (!node.alive || !disruptive(node)) continue;
      const liveMajority = (c: Configuration) =>
        c.voters.filter((v) => v !== id && this.nodes.get(v)?.alive).length >=
        Math.floor(c.voters.length / 2) + 1;
      if (!configs.every(liveMajority)) continue;
      this.lifecycle.crash(node);
      this.stopped.add(id);
      this.stats.removedStopped++;
      this.trace?.(`${now} stop removed ${id}`);
    }
  }

  /** Only once the removal is committed: until then the entry may be cut and the server still needed. */
  private stopRemoved(now: number): void {
    if (this.toStop.size === 0) return;
    const c = this.committedConfiguration();
    for (const id of this.toStop) {
      if (c.voters.includes(id) || c.learners.includes(id)) continue;
      this.toStop.delete(id);
      const node = this.nodes.get(id)!;
      if (node.alive) this.lifecycle.crash(node);
      if (!this.wiped.has(id)) this.stopped.add(id);
      this.stats.removedStopped++;
      this.trace?.(`${now} stop removed ${id}`);
    }
  }

  /** A wiped server still in the configuration is removed first; nothing else changes meanwhile. */
  private pickChange(core: RaftCore, repairOnly: boolean): MembershipChange | undefined {
    const c = core.configuration;
    const members = [...c.voters, ...c.learners];
    const wipedMember = members.find((id) => this.wiped.has(id));
    if (wipedMember) return { kind: 'remove', id: wipedMember };
    if (c.learners.length > 0) return { kind: 'promote', id: this.rng.pick(c.learners) };
    const outside = [...this.nodes.keys()].filter((id) => !members.includes(id));
    // A server that lost its disk comes back as a new one, once its removal is through.
    const wipedOutside = outside.find((id) => this.wiped.has(id));
    if (wipedOutside) return { kind: 'add_learner', id: wipedOutside };
    if (repairOnly) return undefined;
    if (outside.length > 0 && members.length < MAX_MEMBERS && this.rng.chance(0.5)) {
      return { kind: 'add_learner', id: this.rng.pick(outside) };
    }
    // Keep at least two voters: one more crash would otherwise stop the cluster for good.
    if (c.voters.length > 2) return { kind: 'remove', id: this.rng.pick(c.voters) };
    return undefined;
  }

  /** Added as a learner: a wiped or never-started server starts empty and knows no configuration. */
  private start(id: NodeId): void {
    const node = this.nodes.get(id)!;
    if (this.wiped.delete(id)) this.stats.reAdded++;
    this.removed.delete(id);
    this.stopped.delete(id);
    this.toStop.delete(id);
    if (node.alive) return;
    if (node.store.log.length === 0 && !node.store.snapshot) node.joining = true;
    this.lifecycle.restart(node);
  }

  /**
   * One voter loses its disk — only while no other is lost, no change is in flight (it could
   * need that voter to commit), and a majority stays without it.
   */
  private wipeOne(now: number, core: RaftCore | null | undefined): void {
    if (!core || this.wiped.size > 0) return;
    const c = core.configuration;
    const committed = this.committedConfiguration();
    const same = (a: NodeId[], b: NodeId[]) => a.length === b.length && a.every((x) => b.includes(x));
    if (!same(c.voters, committed.voters) || !same(c.learners, committed.learners)) return;
    const voters = c.voters;
    if (voters.length < 3) return;
    const victim = this.nodes.get(this.rng.pick(voters));
    if (!victim) return;
    if (victim.alive) this.lifecycle.crash(victim);
    victim.wipe();
    this.wiped.add(victim.id);
    this.stats.wipes++;
    this.trace?.(`${now} wipe ${victim.id}`);
  }
}
