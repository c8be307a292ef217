// The `local` backend: node processes on this machine, run by LocalCluster. kill = SIGKILL,
// restart = respawn on the same data directory, pause = SIGSTOP/SIGCONT, partition, speed and
// the §8 no-op switch through each node's /admin API, reset = each running node resets itself
// in place (/admin/reset, milliseconds); only a node that is down gets a wiped directory and a
// new process (seconds).
import { randomUUID } from 'node:crypto';
import { LocalCluster, type LocalClusterOptions } from '../../cluster/local-cluster.ts';
import { ALL_FAULTS, type ClusterNode, type Fault } from '../../contract/cluster-view.ts';
import type { SwitchesBody } from '../../contract/raft-switches.ts';
import { adminPost, cutsFor, resetInPlace, transferLeadership } from './admin-client.ts';
import type { ClusterBackend } from './backend.ts';
import { membershipChange } from './membership-client.ts';
import { NetworkControl } from './network-control.ts';
import { RaftSwitchesState } from './raft-switches-state.ts';

/** How long a membership step may take (a learner catching up on a loaded machine included). */
const MEMBERSHIP_MS = 30_000;

export type LocalBackendOptions = Omit<LocalClusterOptions, 'adminToken'> & {
  /** Wipe the nodes' data directories (only those) before the first start. */
  fresh?: boolean;
  /** How long start() and reset() wait for every node to answer (ms; default 20 s). */
  startTimeoutMs?: number;
};

export class LocalBackend implements ClusterBackend {
  readonly kind = 'local' as const;
  readonly faults: readonly Fault[] = ALL_FAULTS;
  private readonly cluster: LocalCluster;
  /** Generated per lab run: only the lab can inject faults into its nodes. */
  private readonly token = randomUUID();
  private groups: string[][] | null = null;
  private speedFactor = 1;
  private noopOnElection = true;
  /** Paper §7's threshold set by a lesson (`snapshot every N`); null = the nodes' own default. */
  private snapshotEntries: number | null = null;
  private readonly raftSwitches = new RaftSwitchesState();
  private wipeFirst: boolean;
  readonly network: NetworkControl;
  private readonly startTimeoutMs: number | undefined;

  constructor({ fresh, startTimeoutMs, ...options }: LocalBackendOptions) {
    this.cluster = new LocalCluster({ ...options, adminToken: this.token });
    this.wipeFirst = fresh ?? false;
    this.network = new NetworkControl({
      nodes: () => this.nodes(),
      token: () => this.token,
      reachable: () => this.reachable(),
    });
    this.startTimeoutMs = startTimeoutMs;
  }

  nodes(): ClusterNode[] {
    return this.cluster.nodes().map(({ id, name, url }) => ({ id, name, url }));
  }

  /** Process ids, for the lab's start-up message (and tests that check nothing is left behind). */
  pids(): (number | null)[] {
    return this.cluster.nodes().map((n) => n.pid);
  }

  async start(): Promise<void> {
    if (this.wipeFirst) {
      this.wipeFirst = false;
      await this.cluster.wipe();
    }
    await this.cluster.start(this.startTimeoutMs);
  }

  stop(): Promise<void> {
    return this.cluster.stop();
  }

  kill(id: string): Promise<void> {
    return this.cluster.kill(id);
  }

  async restart(id: string): Promise<void> {
    await this.cluster.restart(id);
    // A new process starts with no faults: give it the cluster's partition, speed and no-op switch.
    await this.applyFaults(id, { fresh: true });
  }

  async pause(id: string): Promise<void> {
    this.requireUp(id, 'pause');
    this.cluster.pause(id);
  }

  async resume(id: string): Promise<void> {
    this.requireUp(id, 'resume');
    this.cluster.resume(id);
    // The partition, speed or message-level faults may have changed while it was frozen.
    await this.applyFaults(id, { fresh: false });
  }

  async partition(groups: string[][]): Promise<void> {
    this.groups = groups;
    // Each running node's cuts become the new ones in one step: a node cut off before and after
    // is never let through in between (a heal first let lesson 11's S2 vote, issue 11).
    await Promise.all(this.reachable().map((id) => this.applyCuts(id)));
  }

  async heal(): Promise<void> {
    this.groups = null;
    // A node's /admin/heal removes its cuts and its message-level faults alike.
    await this.network.heal();
  }

  async speed(factor: number): Promise<void> {
    this.speedFactor = factor;
    await Promise.all(
      this.reachable().map((id) => adminPost(this.urlOf(id), this.token, 'speed', { factor })),
    );
  }

  async noop(enabled: boolean): Promise<void> {
    this.noopOnElection = enabled;
    await Promise.all(
      this.reachable().map((id) => adminPost(this.urlOf(id), this.token, 'noop', { enabled })),
    );
  }

  async snapshotEvery(entries: number): Promise<void> {
    this.snapshotEntries = entries;
    await Promise.all(
      this.reachable().map((id) => adminPost(this.urlOf(id), this.token, 'snapshot', { entries })),
    );
  }

  async wipe(id: string): Promise<void> {
    await this.cluster.kill(id);
    await this.cluster.wipeNode(id);
  }

  async addNode(id: string): Promise<void> {
    const leader = await this.cluster.waitForLeader(10_000);
    if (leader.voters.includes(id) || leader.learners.includes(id)) {
      throw new Error(
        `node${id} is still in the configuration (leader node${leader.node_id}: voters ${leader.voters.join(', ')}); remove it first`,
      );
    }
    const known = this.ids().includes(id);
    if (!known) this.cluster.addMember(id);
    // An empty server that knows no configuration (JOINING=1): it cannot vote twice or campaign.
    await this.cluster.wipeNode(id);
    await this.cluster.startNode(id, { joining: true });
    await this.applyFaults(id, { fresh: true });
    const url = this.urlOf(id);
    await membershipChange(this.urlOf(leader.node_id), this.token, 'add_learner', { id, url }, MEMBERSHIP_MS);
  }

  async promote(id: string): Promise<void> {
    await membershipChange(await this.leaderUrl(), this.token, 'promote', { id }, MEMBERSHIP_MS);
  }

  async removeNode(id: string): Promise<void> {
    await membershipChange(await this.leaderUrl(), this.token, 'remove', { id }, MEMBERSHIP_MS);
    // Dissertation §4.2.3: a removed server should be shut down, or it may disrupt elections.
    await this.cluster.dropMember(id);
  }

  async switches(change: SwitchesBody): Promise<void> {
    this.raftSwitches.merge(change);
    await Promise.all(
      this.reachable().map((id) => adminPost(this.urlOf(id), this.token, 'switches', change)),
    );
  }

  transferLeadership(from: string, to: string): Promise<string> {
    return transferLeadership(this.urlOf(from), this.token, to);
  }

  /**
   * A fresh cluster of the first nodes. Lesson 15's changes are undone: a server beyond them is
   * stopped and its data deleted, a removed one comes back. A running node started as a member
   * of the first cluster resets itself in place (/admin/reset, milliseconds); any other (down,
   * not answering, JOINING=1, or started while the membership differed, so PEERS differ) gets an
   * emptied directory and a new process (seconds).
   */
  async reset(): Promise<void> {
    const first = this.cluster.bootstrapIds();
    const nodes = this.cluster.nodes();
    // A frozen process cannot answer /admin/reset: thaw it first (the reset heals everything).
    for (const n of nodes) if (n.up && n.paused) this.cluster.resume(n.id);
    // Dissertation §4.2.3: a server outside the configuration is shut down, before anyone resets.
    const extra = nodes.filter((n) => !first.includes(n.id)).map((n) => n.id);
    await Promise.all(extra.map((id) => this.cluster.kill(id)));
    await this.cluster.wipe(extra);
    const inPlace = nodes.filter((n) => n.up && n.bootstrap);
    const { failed, heal } = await resetInPlace(inPlace, this.token);
    // The rest: a new process on an emptied directory (SIGKILL first: the data goes anyway).
    const respawn = [...first.filter((id) => !inPlace.some((n) => n.id === id)), ...failed.map((f) => f.id)];
    const known = new Set(nodes.map((n) => n.id));
    await Promise.all(respawn.filter((id) => known.has(id)).map((id) => this.cluster.kill(id)));
    this.cluster.resetMembers();
    await this.cluster.wipe(respawn);
    this.groups = null;
    this.speedFactor = 1;
    this.snapshotEntries = null;
    this.network.forget();
    // A fresh cluster is a default one: every node starts with its no-op on (NOOP_ON_ELECTION=1).
    this.noopOnElection = true;
    this.raftSwitches.clear();
    await this.cluster.start(this.startTimeoutMs);
    await heal();
  }

  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] } {
    const node = this.cluster.nodes().find((n) => n.id === id);
    const cuts = this.groups ? (cutsFor(this.ids(), this.groups).get(id) ?? []) : [];
    return { up: node?.up ?? false, paused: node?.paused ?? false, partitionedFrom: cuts };
  }

  private ids(): string[] {
    return this.cluster.nodes().map((n) => n.id);
  }

  private urlOf(id: string): string {
    return this.cluster.url(id);
  }

  /** Nodes that can answer an /admin call now (a frozen process would hold it forever). */
  private reachable(): string[] {
    return this.cluster
      .nodes()
      .filter((n) => n.up && !n.paused)
      .map((n) => n.id);
  }

  private requireUp(id: string, what: string): void {
    const node = this.cluster.nodes().find((n) => n.id === id);
    if (!node?.up) throw new Error(`node${id} is down; restart it before you ${what} it`);
  }

  /** The URL of the leader with the highest term (waits up to 10 s for one). */
  private async leaderUrl(): Promise<string> {
    const leader = await this.cluster.waitForLeader(10_000);
    return this.urlOf(leader.node_id);
  }

  /**
   * Gives node `id` the cluster's faults without ever lifting one on the way (no heal first):
   * `fresh` = a new process (it has none yet), else a resumed one (what it had before it froze
   * is replaced).
   */
  private async applyFaults(id: string, { fresh }: { fresh: boolean }): Promise<void> {
    const url = this.urlOf(id);
    if (this.snapshotEntries !== null)
      await adminPost(url, this.token, 'snapshot', { entries: this.snapshotEntries });
    // First: a restarted node must not win an election with the no-op the lesson turned off.
    if (!this.noopOnElection) await adminPost(url, this.token, 'noop', { enabled: false });
    const switches = this.raftSwitches.forNewProcess();
    if (switches) await adminPost(url, this.token, 'switches', switches);
    await this.applyCuts(id);
    if (!fresh || this.speedFactor !== 1)
      await adminPost(url, this.token, 'speed', { factor: this.speedFactor });
    if (fresh) await this.network.reapply(id);
    else await this.network.replaceOn(id);
  }

  /** The node's cuts become exactly those of the current partition (none without one), in one call. */
  private applyCuts(id: string): Promise<unknown> {
    const peers = this.groups ? (cutsFor(this.ids(), this.groups).get(id) ?? []) : [];
    return adminPost(this.urlOf(id), this.token, 'partition', { peers, direction: 'both', replace: true });
  }
}
