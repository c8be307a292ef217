// The `swarm` cluster backend: one learner's five nodes as a stack on a Docker Swarm, made
// through the Docker Engine API (dockerode) — an overlay network, five single-replica
// services (`<stack>_node1`…) each with its own volume, all pinned to one swarm node (their
// volumes live there, and a learner's RPCs stay on one machine). Each node publishes its port
// in host mode on that machine (the ingress routing mesh is not needed, and did not answer on
// 127.0.0.1 on this project's machine); the lab reaches them at <that machine's address>:<port>,
// and the nodes reach each other by name on the overlay network (DNS round robin, no VIP).
// kill = scale to 0 with SIGKILL as the stop signal, restart = scale to 1 on the same volume;
// pause, partition, speed and the §8 no-op go through each node's /admin API.
import type Docker from 'dockerode';
import { untilAnswering } from '../../../cluster/node-status.ts';
import { ALL_FAULTS, type ClusterNode, type Fault } from '../../../contract/cluster-view.ts';
import { MEMBERSHIP_FAULTS } from '../../../contract/fault-words.ts';
import type { SwitchesBody } from '../../../contract/raft-switches.ts';
import { adminPost, cutsFor, transferLeadership } from '../admin-client.ts';
import type { ClusterBackend } from '../backend.ts';
import { fixedMembership } from '../fixed-membership.ts';
import type { NetworkControl } from '../network-control.ts';
import { RaftSwitchesState } from '../raft-switches-state.ts';
import { CLASS_LABEL, removeStack, STACK_LABEL, untilNoContainers } from './remove-stack.ts';

const MESSAGE_LEVEL: ReadonlySet<Fault> = new Set(['messages', 'links', 'timers']);

const NODE_PORT = 5000;
const SIZE = 5;

export interface SwarmBackendOptions {
  docker: Docker;
  /** The stack's name, e.g. "raftlab-l3": prefix of its services, network and volumes. */
  stack: string;
  classId: string;
  image: string;
  /** Host ports for node1…node5 on the swarm node they run on. */
  ports: number[];
  /** The swarm node all five run on (its ID) and the address the lab reaches it at. */
  placement: { nodeId: string; address: string };
  adminToken: string;
  readyTimeoutMs?: number;
}

export class SwarmBackend implements ClusterBackend {
  readonly kind = 'swarm' as const;
  // Each stack has its five services: no membership changes (the local backend has them).
  // Message-level control (hold, links, timers) is not wired to a swarm's nodes yet: no
  // NetworkControl here, so those words fail with "the swarm backend cannot …".
  readonly faults: readonly Fault[] = ALL_FAULTS.filter(
    (f) => !MESSAGE_LEVEL.has(f) && !(MEMBERSHIP_FAULTS as readonly string[]).includes(f),
  );
  readonly network: NetworkControl | null = null;
  /** stop() removes the stack's volumes: the next start() is a new cluster. */
  readonly freshAfterStop = true;
  private readonly raftSwitches = new RaftSwitchesState();
  private readonly members: ClusterNode[];
  private readonly up = new Map<string, boolean>();
  private readonly paused = new Set<string>();
  private groups: string[][] | null = null;
  private speedFactor = 1;
  private noopOnElection = true;
  /** Bumped by reset: new volumes are a fresh cluster (the old ones are removed). */
  private generation = 1;

  constructor(private readonly o: SwarmBackendOptions) {
    this.members = o.ports.slice(0, SIZE).map((port, i) => ({
      id: String(i + 1),
      name: `node${i + 1}`,
      url: `http://${o.placement.address}:${port}`,
    }));
  }

  nodes(): ClusterNode[] {
    return this.members.map((m) => ({ ...m }));
  }

  async start(): Promise<void> {
    const network = await this.ensureNetwork();
    const existing = new Set((await this.services()).map((s) => s.Spec?.Name));
    for (const m of this.members) {
      if (!existing.has(this.serviceName(m.id))) await this.o.docker.createService(this.spec(m, network, 1));
      this.up.set(m.id, true);
    }
    await this.waitAnswering(this.members);
  }

  /** Removes the stack: services, then (once their containers are gone) volumes and network. */
  async stop(): Promise<void> {
    await removeStack(this.o.docker, this.o.stack);
    for (const m of this.members) this.up.set(m.id, false);
    this.paused.clear();
  }

  async kill(id: string): Promise<void> {
    await this.scale(id, 0);
    this.up.set(id, false);
    this.paused.delete(id);
  }

  async restart(id: string): Promise<void> {
    await this.scale(id, 1);
    this.up.set(id, true);
    const m = this.members.find((n) => n.id === id)!;
    await this.waitAnswering([m]);
    await this.applyFaults(id);
  }

  async pause(id: string): Promise<void> {
    this.requireUp(id, 'pause');
    await adminPost(this.url(id), this.o.adminToken, 'pause');
    this.paused.add(id);
  }

  async resume(id: string): Promise<void> {
    this.requireUp(id, 'resume');
    await adminPost(this.url(id), this.o.adminToken, 'resume');
    this.paused.delete(id);
    await this.applyFaults(id);
  }

  async partition(groups: string[][]): Promise<void> {
    this.groups = groups;
    await Promise.all(this.reachable().map((id) => this.applyFaults(id)));
  }

  async heal(): Promise<void> {
    this.groups = null;
    await Promise.all(this.reachable().map((id) => adminPost(this.url(id), this.o.adminToken, 'heal')));
  }

  async speed(factor: number): Promise<void> {
    this.speedFactor = factor;
    await Promise.all(
      this.reachable().map((id) => adminPost(this.url(id), this.o.adminToken, 'speed', { factor })),
    );
  }

  async noop(enabled: boolean): Promise<void> {
    this.noopOnElection = enabled;
    await Promise.all(
      this.reachable().map((id) => adminPost(this.url(id), this.o.adminToken, 'noop', { enabled })),
    );
  }

  /** Paper §7: every reachable node snapshots once `entries` entries have been applied since its last. */
  async snapshotEvery(entries: number): Promise<void> {
    await Promise.all(
      this.reachable().map((id) => adminPost(this.url(id), this.o.adminToken, 'snapshot', { entries })),
    );
  }

  private readonly membership = fixedMembership('swarm', "each learner's stack runs five node services");
  readonly wipe = this.membership.wipe;
  readonly addNode = this.membership.addNode;
  readonly promote = this.membership.promote;
  readonly removeNode = this.membership.removeNode;

  /** Raft switches on every reachable node; a node started later gets them too (applyFaults). */
  async switches(change: SwitchesBody): Promise<void> {
    await Promise.all(
      this.reachable().map((id) => adminPost(this.url(id), this.o.adminToken, 'switches', change)),
    );
    this.raftSwitches.merge(change);
  }

  transferLeadership(from: string, to: string): Promise<string> {
    return transferLeadership(this.url(from), this.o.adminToken, to);
  }

  async reset(): Promise<void> {
    await this.stop();
    this.generation++;
    this.groups = null;
    this.speedFactor = 1;
    this.noopOnElection = true;
    this.raftSwitches.clear();
    await this.start();
  }

  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] } {
    const cuts = this.groups ? (cutsFor(this.ids(), this.groups).get(id) ?? []) : [];
    return { up: this.up.get(id) ?? false, paused: this.paused.has(id), partitionedFrom: cuts };
  }

  private ids(): string[] {
    return this.members.map((m) => m.id);
  }

  private url(id: string): string {
    return this.members.find((m) => m.id === id)!.url;
  }

  private reachable(): string[] {
    return this.ids().filter((id) => this.up.get(id) && !this.paused.has(id));
  }

  private requireUp(id: string, what: string): void {
    if (!this.up.get(id)) throw new Error(`node${id} is down; restart it before you ${what} it`);
  }

  private async applyFaults(id: string): Promise<void> {
    const url = this.url(id);
    const token = this.o.adminToken;
    if (!this.noopOnElection) await adminPost(url, token, 'noop', { enabled: false });
    await adminPost(url, token, 'heal');
    const cut = this.groups ? (cutsFor(this.ids(), this.groups).get(id) ?? []) : [];
    if (cut.length > 0) await adminPost(url, token, 'partition', { peers: cut, direction: 'both' });
    if (this.speedFactor !== 1) await adminPost(url, token, 'speed', { factor: this.speedFactor });
    const switches = this.raftSwitches.forNewProcess();
    if (switches) await adminPost(url, token, 'switches', switches);
  }

  private serviceName(id: string): string {
    return `${this.o.stack}_node${id}`;
  }

  private labels(): Record<string, string> {
    return { [CLASS_LABEL]: this.o.classId, [STACK_LABEL]: this.o.stack };
  }

  private async services(): Promise<Docker.Service[]> {
    return this.o.docker.listServices({ filters: { label: [`${STACK_LABEL}=${this.o.stack}`] } });
  }

  private async ensureNetwork(): Promise<string> {
    const name = `${this.o.stack}_net`;
    const found = await this.o.docker.listNetworks({ filters: { name: [name] } });
    const same = found.find((n) => n.Name === name);
    if (same) return same.Id;
    const net = await this.o.docker.createNetwork({
      Name: name,
      Driver: 'overlay',
      Attachable: true,
      Labels: this.labels(),
    });
    return net.id;
  }

  private spec(m: ClusterNode, networkId: string, replicas: number): Docker.CreateServiceOptions {
    const peers = this.members
      .filter((p) => p.id !== m.id)
      .map((p) => `${p.id}=node${p.id}:${NODE_PORT}`)
      .join(',');
    return {
      Name: this.serviceName(m.id),
      Labels: this.labels(),
      TaskTemplate: {
        ContainerSpec: {
          Image: this.o.image,
          Env: [
            `NODE_ID=${m.id}`,
            `PORT=${NODE_PORT}`,
            `PEERS=${peers}`,
            // What the node puts in redirects and leader_url: where the lab (and learners' cells) reach it.
            `ADVERTISE_URL=${m.url}`,
            `ADMIN_TOKEN=${this.o.adminToken}`,
            'DATA_DIR=/data',
          ],
          Labels: this.labels(),
          // `kill` is a crash, as SIGKILL is for the local backend: nothing graceful.
          StopSignal: 'SIGKILL',
          Mounts: [
            {
              Type: 'volume',
              Source: `${this.o.stack}_node${m.id}_g${this.generation}`,
              Target: '/data',
              VolumeOptions: {
                NoCopy: false,
                Labels: this.labels(),
                DriverConfig: { Name: 'local', Options: {} },
              },
            },
          ],
        },
        // A node that crashes stays down, as a killed process does; the lesson restarts it.
        RestartPolicy: { Condition: 'none' },
        Placement: { Constraints: [`node.id==${this.o.placement.nodeId}`] },
        Networks: [{ Target: networkId, Aliases: [`node${m.id}`] }],
      },
      Mode: { Replicated: { Replicas: replicas } },
      EndpointSpec: {
        // DNS round robin: `nodeN` resolves to the task's own address on the overlay network.
        // The default (vip) resolves it to a virtual IP that only the kernel's IPVS forwards; on
        // a kernel without IPVS (this project's machine: dockerd logs "Could not get ipvs family
        // information") peers' RPCs fail with EHOSTUNREACH and no node ever wins a PreVote.
        // One replica per service needs no load balancing, and host-mode ports allow dnsrr.
        Mode: 'dnsrr',
        Ports: [
          {
            Protocol: 'tcp',
            TargetPort: NODE_PORT,
            PublishedPort: Number(new URL(m.url).port),
            PublishMode: 'host',
          },
        ],
      },
    };
  }

  private async scale(id: string, replicas: number): Promise<void> {
    const service = this.o.docker.getService(this.serviceName(id));
    const info = (await service.inspect()) as Docker.Service;
    const spec = info.Spec!;
    await service.update({
      ...spec,
      version: info.Version!.Index,
      Mode: { Replicated: { Replicas: replicas } },
      // A task that exited (replicas already 1) must be replaced: force a new one.
      TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1 },
    });
    if (replicas === 0) await untilNoContainers(this.o.docker, this.serviceName(id));
  }

  private async waitAnswering(nodes: ClusterNode[]): Promise<void> {
    const problems = await untilAnswering(nodes, { timeoutMs: this.o.readyTimeoutMs ?? 120_000 });
    if (problems.length > 0)
      throw new Error(
        `the swarm stack ${this.o.stack} did not come up: ${problems.join('; ')}. \`docker service ps ${this.o.stack}_node1\` shows why a task is not running (image missing on that machine? port taken?)`,
      );
  }
}
