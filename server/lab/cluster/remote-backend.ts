// The `remote` backend: nodes an instructor already runs somewhere else. The lab cannot kill
// or restart their processes; it offers only what each node's /admin API can do.

import { untilAnswering } from '../../cluster/node-status.ts';
import type { ClusterNode, Fault } from '../../contract/cluster-view.ts';
import { faultsExcept, MEMBERSHIP_FAULTS, PROCESS_FAULTS } from '../../contract/fault-words.ts';
import type { SwitchesBody } from '../../contract/raft-switches.ts';
import { adminPost, cutsFor, resetInPlace, transferLeadership } from './admin-client.ts';
import type { ClusterBackend } from './backend.ts';
import { NetworkControl } from './network-control.ts';
import { RaftSwitchesState } from './raft-switches-state.ts';

export interface RemoteBackendOptions {
  /** `http://h:5001` (ids 1, 2, … in order) or `3=http://h:5003`. */
  nodes: string[];
  /** The nodes' ADMIN_TOKEN; without it no fault can be injected. */
  adminToken?: string;
  startTimeoutMs?: number;
}

/** Parses the --nodes list; throws a message naming the bad item. */
export function parseNodeList(items: string[]): ClusterNode[] {
  const nodes = items.map((item, i) => {
    const m = /^(?:(\d+)=)?(https?:\/\/[^\s/]+)\/?$/.exec(item.trim());
    if (!m) {
      throw new Error(
        `\`${item}\` is not a node URL: write http://host:port or id=http://host:port, comma-separated`,
      );
    }
    const id = m[1] ?? String(i + 1);
    return { id, name: `node${id}`, url: m[2]! };
  });
  const ids = nodes.map((n) => n.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`node id ${twice} appears twice in the node list`);
  if (nodes.length === 0) throw new Error('the remote backend needs at least one node URL (--nodes)');
  return nodes.sort((a, b) => Number(a.id) - Number(b.id));
}

export class RemoteBackend implements ClusterBackend {
  readonly kind = 'remote' as const;
  readonly faults: readonly Fault[];
  private readonly members: ClusterNode[];
  private readonly paused = new Set<string>();
  private groups: string[][] | null = null;
  private speedFactor = 1;
  private noopOnElection = true;
  readonly network: NetworkControl | null;
  private readonly raftSwitches = new RaftSwitchesState();

  constructor(private readonly options: RemoteBackendOptions) {
    this.members = parseNodeList(options.nodes);
    const token = options.adminToken;
    // Over HTTP alone the lab cannot stop, start or add a node's process.
    this.faults = token ? faultsExcept(PROCESS_FAULTS, MEMBERSHIP_FAULTS) : ['write'];
    this.network = token
      ? new NetworkControl({
          nodes: () => this.nodes(),
          token: () => token,
          reachable: () => this.members.filter((n) => !this.paused.has(n.id)).map((n) => n.id),
        })
      : null;
  }

  nodes(): ClusterNode[] {
    return this.members.map((n) => ({ ...n }));
  }

  /** Waits until every node answers /status as the node it is listed as. */
  async start(): Promise<void> {
    const problems = await untilAnswering(this.members, {
      timeoutMs: this.options.startTimeoutMs ?? 10_000,
      problem: (s, n) =>
        s.node_id === n.id
          ? null
          : `says it is node ${s.node_id}, listed as node ${n.id} (write ${s.node_id}=${n.url})`,
    });
    if (problems.length > 0) throw new Error(`the remote nodes are not ready: ${problems.join('; ')}`);
  }

  /** Leaves the cluster as we found it: no pause, no partition, normal speed, no-op on. */
  async stop(): Promise<void> {
    if (!this.options.adminToken) return;
    const undo = this.members.map(async (n) => {
      try {
        if (this.paused.has(n.id)) await this.admin(n.id, 'resume');
        if (this.groups || this.network?.changed) await this.admin(n.id, 'heal');
        if (this.speedFactor !== 1) await this.admin(n.id, 'speed', { factor: 1 });
        if (!this.noopOnElection) await this.admin(n.id, 'noop', { enabled: true });
        const defaults = this.raftSwitches.defaults();
        if (defaults) await this.admin(n.id, 'switches', defaults);
      } catch {
        // Best effort: the node may be gone.
      }
    });
    await Promise.all(undo);
    this.paused.clear();
  }

  kill(): Promise<void> {
    return this.unsupported('kill a node');
  }

  restart(): Promise<void> {
    return this.unsupported('restart a node');
  }

  /** Every node resets itself in place (/admin/reset); a node that does not answer cannot be restarted from here. */
  async reset(): Promise<void> {
    const token = this.options.adminToken;
    if (!token) return this.unsupported('reset the cluster (no --admin-token given)');
    const { failed, heal } = await resetInPlace(this.members, token);
    await heal();
    this.paused.clear();
    this.groups = null;
    this.speedFactor = 1;
    this.noopOnElection = true;
    this.network?.forget();
    if (failed.length > 0) {
      throw new Error(
        `${failed.map((f) => `node${f.id}`).join(', ')} did not reset (${failed[0]!.why}); the remote backend cannot restart a node's process: start it again where it runs (with an empty data directory), then reset again`,
      );
    }
  }

  async pause(id: string): Promise<void> {
    await this.admin(id, 'pause');
    this.paused.add(id);
  }

  async resume(id: string): Promise<void> {
    await this.admin(id, 'resume');
    this.paused.delete(id);
  }

  async partition(groups: string[][]): Promise<void> {
    const cuts = cutsFor(
      this.members.map((n) => n.id),
      groups,
    );
    await Promise.all(
      // One call per node, no heal first: a cut that both partitions keep is never lifted.
      this.members.map((n) =>
        this.admin(n.id, 'partition', { peers: cuts.get(n.id) ?? [], direction: 'both', replace: true }),
      ),
    );
    this.groups = groups;
  }

  async heal(): Promise<void> {
    await Promise.all(this.members.map((n) => this.admin(n.id, 'heal')));
    this.groups = null;
    this.network?.forget();
  }

  async speed(factor: number): Promise<void> {
    await Promise.all(this.members.map((n) => this.admin(n.id, 'speed', { factor })));
    this.speedFactor = factor;
  }

  async noop(enabled: boolean): Promise<void> {
    await Promise.all(this.members.map((n) => this.admin(n.id, 'noop', { enabled })));
    this.noopOnElection = enabled;
  }

  async snapshotEvery(entries: number): Promise<void> {
    await Promise.all(this.members.map((n) => this.admin(n.id, 'snapshot', { entries })));
  }

  wipe(): Promise<void> {
    return this.unsupported('wipe a node (it does not run them)');
  }
  addNode(): Promise<void> {
    return this.unsupported('add a node (it does not run them)');
  }
  promote(): Promise<void> {
    return this.unsupported('promote a node');
  }
  removeNode(): Promise<void> {
    return this.unsupported('remove a node');
  }

  async switches(change: SwitchesBody): Promise<void> {
    await Promise.all(this.members.map((n) => this.admin(n.id, 'switches', change)));
    this.raftSwitches.merge(change);
  }

  async transferLeadership(from: string, to: string): Promise<string> {
    const token = this.options.adminToken;
    if (!token) return this.unsupported('transfer leadership (no --admin-token given)');
    const node = this.members.find((n) => n.id === from);
    if (!node) throw new Error(`no node ${from} in this cluster`);
    return transferLeadership(node.url, token, to);
  }

  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] } {
    const cuts = this.groups
      ? (cutsFor(
          this.members.map((n) => n.id),
          this.groups,
        ).get(id) ?? [])
      : [];
    // The lab cannot see remote processes: "up" means "not known to be down".
    return { up: true, paused: this.paused.has(id), partitionedFrom: cuts };
  }

  private async admin(id: string, action: string, body?: unknown): Promise<void> {
    const token = this.options.adminToken;
    if (!token) return this.unsupported(`${action} (no --admin-token given)`);
    const node = this.members.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} in this cluster`);
    await adminPost(node.url, token, action, body);
  }

  private async unsupported(what: string): Promise<never> {
    throw new Error(`the remote backend cannot ${what}: it only reaches the nodes' /admin API`);
  }
}
