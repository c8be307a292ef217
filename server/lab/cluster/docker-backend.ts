// The `docker` cluster backend: the node containers of a docker-compose.yml cluster, driven
// through the Docker Engine API (dockerode over the unix socket). Every fault is real:
// kill = SIGKILL, restart = start, pause = the cgroup freezer, partition = moving containers
// between networks so that only nodes of the same group share one (docker/partition-networks.ts).
// Finding the cluster is docker/discovery.ts; `reset`'s wipe is docker/data-wipe.ts; speed and
// the no-op switch go through each node's /admin API (admin-client.ts). docs/docker.md explains
// what mounting the socket grants.

import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { untilAnswering } from '../../cluster/node-status.ts';
import type { BackendKind, Fault } from '../../contract/cluster-view.ts';
import { faultsExcept, MEMBERSHIP_FAULTS } from '../../contract/fault-words.ts';
import type { SwitchesBody } from '../../contract/raft-switches.ts';
import { RunQueue } from '../session/run-queue.ts';
import { adminPost, resetInPlace, transferLeadership } from './admin-client.ts';
import type { ClusterBackend } from './backend.ts';
import { wipeData } from './docker/data-wipe.ts';
import {
  type Discovery,
  type DiscoveryOptions,
  type DockerClusterNode,
  discover,
  type Member,
  PROJECT_LABEL,
  socketFromEnv,
} from './docker/discovery.ts';
import {
  describeEngineError,
  ignoreNotPaused,
  isEngineError,
  pauseContainer,
} from './docker/engine-errors.ts';
import { dropPooledConnections } from './docker/lab-connections.ts';
import { applyGroups, type NetworkView } from './docker/partition-networks.ts';
import { fixedMembership } from './fixed-membership.ts';
import { NetworkControl } from './network-control.ts';
import { RaftSwitchesState } from './raft-switches-state.ts';
import { leaderOf, takeSnapshot } from './snapshot.ts';

export type { DockerClusterNode };

export interface DockerBackendOptions extends DiscoveryOptions {
  /** Default: DOCKER_HOST's unix:// path, else /var/run/docker.sock. */
  socketPath?: string;
  /** How long start(), restart() and reset() wait for nodes to answer /status. */
  readyTimeoutMs?: number;
}

interface LiveState {
  up: boolean;
  paused: boolean;
  networks: string[];
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const POLL_MS = 1000;

export class DockerBackend implements ClusterBackend {
  readonly kind: BackendKind = 'docker';
  /** Not the membership actions: the containers are the Compose file's five (docs/docker.md). */
  readonly faults: readonly Fault[] = faultsExcept(MEMBERSHIP_FAULTS);

  private readonly state = new Map<string, LiveState>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly queue = new RunQueue();
  private readonly networks: NetworkView = {
    refresh: () => this.refresh(),
    networksOf: (m) => this.live(m).networks,
    leaderId: async () => leaderOf(await takeSnapshot(this, 1000))?.id ?? null,
  };
  private speedFactor = 1;
  private noopEnabled = true;
  private readonly raftSwitches = new RaftSwitchesState();
  private stopped = false;
  readonly network: NetworkControl;
  /** Nodes that were frozen while containers changed networks (see regroup). */
  private readonly reconnectOnResume = new Set<string>();

  private constructor(
    private readonly docker: Docker,
    private readonly d: Discovery,
    private readonly readyTimeoutMs: number,
  ) {
    this.network = new NetworkControl({
      nodes: () => this.d.members,
      token: () => this.adminToken('message-level control'),
      reachable: () =>
        this.d.members
          .filter((m) => {
            const s = this.live(m);
            return s.up && !s.paused;
          })
          .map((m) => m.id),
    });
  }

  /**
   * Finds the cluster's containers and returns a backend for them. Fails with an explanation
   * when the socket is missing or unusable, or no (or more than one) cluster is running.
   */
  static async open(options: DockerBackendOptions = {}): Promise<DockerBackend> {
    const socketPath = options.socketPath ?? socketFromEnv() ?? DEFAULT_SOCKET;
    if (!existsSync(socketPath)) {
      throw new Error(
        `the docker backend needs the Docker socket, and ${socketPath} does not exist: in docker-compose.yml ` +
          'add `- /var/run/docker.sock:/var/run/docker.sock` to the lab service, or run the lab on a machine ' +
          'with a running Docker engine (see docs/docker.md)',
      );
    }
    const docker = new Docker({ socketPath });
    try {
      await docker.ping();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EACCES') {
        throw new Error(
          `the docker backend cannot use ${socketPath}: permission denied. Run the lab as root or as a member ` +
            "of the socket's group (docker-compose.yml runs the lab service as root for this reason)",
        );
      }
      throw new Error(
        `the Docker engine at ${socketPath} does not answer (${describeEngineError(err)}): is dockerd running?`,
      );
    }
    const d = await discover(docker, options);
    return new DockerBackend(docker, d, options.readyTimeoutMs ?? 60_000);
  }

  /** The compose project this backend drives. */
  get project(): string {
    return this.d.project;
  }

  nodes(): DockerClusterNode[] {
    return this.d.members.map(({ id, name, url, advertiseUrl, aliases, service, containerId }) => ({
      id,
      name,
      url,
      advertiseUrl,
      aliases,
      service,
      containerId,
    }));
  }

  start(): Promise<void> {
    return this.serial(async () => {
      this.stopped = false;
      await this.refresh();
      for (const m of this.d.members) {
        const s = this.live(m);
        if (s.paused) await this.docker.getContainer(m.containerId).unpause();
        else if (!s.up) await this.docker.getContainer(m.containerId).start();
      }
      // A lab that died mid-lesson may have left a partition behind; a new session starts whole.
      await this.regroup([this.d.members]);
      this.timer ??= setInterval(() => void this.refresh().catch(() => {}), POLL_MS);
      this.timer.unref?.();
      await this.waitReady(this.d.members);
    });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) return;
      this.stopped = true;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      // The containers belong to compose and stay; what this backend changed is undone, so the
      // classroom cluster is whole again and no network of ours is left behind.
      await this.refresh();
      for (const m of this.d.members) {
        if (this.live(m).paused) await ignoreNotPaused(this.docker.getContainer(m.containerId).unpause());
      }
      await this.regroup([this.d.members]);
    });
  }

  kill(id: string): Promise<void> {
    return this.serial(async () => {
      const m = this.member(id);
      const c = this.docker.getContainer(m.containerId);
      const s = await this.inspectState(m);
      if (!s.up) return;
      // The engine delivers SIGKILL to a frozen container too (and thaws it to let it die).
      await c.kill({ signal: 'SIGKILL' });
      if (s.paused) await ignoreNotPaused(c.unpause());
      await this.refresh();
    });
  }

  restart(id: string): Promise<void> {
    return this.serial(async () => {
      const m = this.member(id);
      const c = this.docker.getContainer(m.containerId);
      const s = await this.inspectState(m);
      if (s.paused) {
        await c.unpause();
        if (this.reconnectOnResume.delete(m.id)) await this.network.reconnectNode(m.id);
      } else if (!s.up) {
        this.reconnectOnResume.delete(m.id);
        await c.start();
        // A started container may get a new address: no kept-alive connection to the old one.
        dropPooledConnections();
      }
      await this.refresh();
      await this.waitReady([m]);
      // Its peers' connections to its old address hang until their RPC timeout.
      if (!s.paused && !s.up && this.d.adminToken) await this.network.reconnect();
      // A fresh process starts at normal speed; keep the classroom's slow motion.
      if (this.speedFactor !== 1) await this.postSpeed(m, this.speedFactor);
      if (!this.noopEnabled) await this.postNoop(m, false);
      await this.network.reapply(m.id);
      const switches = this.raftSwitches.forNewProcess();
      if (switches) await adminPost(m.url, this.adminToken('switches'), 'switches', switches);
    });
  }

  pause(id: string): Promise<void> {
    return this.serial(async () => {
      const m = this.member(id);
      const s = await this.inspectState(m);
      if (!s.up) throw new Error(`${m.name} is not running (killed?): restart ${m.name} before pausing it`);
      if (!s.paused) await pauseContainer(() => this.docker.getContainer(m.containerId).pause(), m.name);
      await this.refresh();
    });
  }

  resume(id: string): Promise<void> {
    return this.serial(async () => {
      const m = this.member(id);
      const s = await this.inspectState(m);
      if (s.paused) await this.docker.getContainer(m.containerId).unpause();
      await this.refresh();
      if (this.reconnectOnResume.delete(m.id)) await this.network.reconnectNode(m.id);
    });
  }

  partition(groups: string[][]): Promise<void> {
    return this.serial(async () => {
      const seen = new Set<string>();
      const resolved = groups.map((g) =>
        g.map((id) => {
          const m = this.member(id);
          if (seen.has(m.id)) throw new Error(`${m.name} is named in two groups of the partition`);
          seen.add(m.id);
          return m;
        }),
      );
      // Nodes in no group are cut off from all: each is a group of its own.
      for (const m of this.d.members) if (!seen.has(m.id)) resolved.push([m]);
      await this.regroup(resolved.filter((g) => g.length > 0));
    });
  }

  heal(): Promise<void> {
    return this.serial(async () => {
      await this.regroup([this.d.members]);
      // The nodes' own message-level faults (hold, links, timers) live behind their /admin API.
      // Only when some were set: healing the Docker networks alone asks the nodes nothing.
      if (this.d.adminToken && this.network.changed) await this.network.heal();
    });
  }

  speed(factor: number): Promise<void> {
    return this.serial(async () => {
      if (!Number.isFinite(factor) || factor <= 0)
        throw new Error(`speed must be a positive number, got ${factor}`);
      await Promise.all((await this.running()).map((m) => this.postSpeed(m, factor)));
      this.speedFactor = factor;
    });
  }

  /** §8's no-op switch on every running node, through its /admin API as for `speed`. */
  noop(enabled: boolean): Promise<void> {
    return this.serial(async () => {
      await Promise.all((await this.running()).map((m) => this.postNoop(m, enabled)));
      this.noopEnabled = enabled;
    });
  }

  /** Paper §7's threshold on every running node, through its /admin API. */
  snapshotEvery(entries: number): Promise<void> {
    return this.serial(async () => {
      await Promise.all(
        (await this.running()).map((m) =>
          adminPost(m.url, this.adminToken('snapshot'), 'snapshot', { entries }),
        ),
      );
    });
  }

  private readonly membership = fixedMembership('docker', "it drives the Compose file's five containers");
  readonly wipe = this.membership.wipe;
  readonly addNode = this.membership.addNode;
  readonly promote = this.membership.promote;
  readonly removeNode = this.membership.removeNode;

  /** Raft switches on every running node, through its /admin API as for `speed`. */
  switches(change: SwitchesBody): Promise<void> {
    return this.serial(async () => {
      const token = this.adminToken('switches');
      await Promise.all((await this.running()).map((m) => adminPost(m.url, token, 'switches', change)));
      this.raftSwitches.merge(change);
    });
  }

  transferLeadership(from: string, to: string): Promise<string> {
    return transferLeadership(this.member(from).url, this.adminToken('transfer leadership'), to);
  }

  /**
   * A fresh cluster: every running node resets itself in place (/admin/reset, milliseconds);
   * only containers that are down (or have no admin token to ask) get their data wiped and are
   * started again (seconds).
   */
  reset(): Promise<void> {
    return this.serial(async () => {
      await this.refresh();
      await Promise.all(
        this.d.members.map(async (m) => {
          if (this.live(m).paused) await ignoreNotPaused(this.docker.getContainer(m.containerId).unpause());
        }),
      );
      await this.regroup([this.d.members]);
      const token = this.d.adminToken;
      const running = this.d.members.filter((m) => this.live(m).up);
      const inPlace = token ? await resetInPlace(running, token) : null;
      const respawn = this.d.members.filter(
        (m) => !inPlace || !this.live(m).up || inPlace.failed.some((f) => f.id === m.id),
      );
      await Promise.all(
        respawn.map(async (m) => {
          if (this.live(m).up) await this.docker.getContainer(m.containerId).kill({ signal: 'SIGKILL' });
        }),
      );
      if (respawn.length > 0) {
        await wipeData(this.docker, this.d, respawn);
        await Promise.all(respawn.map((m) => this.docker.getContainer(m.containerId).start()));
        dropPooledConnections();
      }
      this.speedFactor = 1;
      this.noopEnabled = true;
      this.network.forget();
      this.raftSwitches.clear();
      await this.refresh();
      await this.waitReady(this.d.members);
      await inPlace?.heal();
    });
  }

  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] } {
    const m = this.member(id);
    const s = this.live(m);
    const mine = new Set(s.networks);
    const partitionedFrom = this.d.members
      .filter((o) => o.id !== m.id && !this.live(o).networks.some((n) => mine.has(n)))
      .map((o) => o.id);
    return { up: s.up, paused: s.paused, partitionedFrom };
  }

  // ---- internals

  /**
   * Puts the members in these network groups (applyGroups). When a container changed networks,
   * every node that can answer drops its connections to peers: a connection to a peer's old
   * address hangs for a whole RPC timeout (1 s), longer than a leadership transfer may take
   * (dissertation §3.10: an election timeout), and each pooled one would hang in turn.
   */
  private async regroup(groups: Member[][]): Promise<void> {
    const moved = await applyGroups(this.docker, this.d, groups, this.networks);
    await this.refresh();
    if (!moved || !this.d.adminToken) return;
    await this.network.reconnect();
    // A frozen node cannot answer now: it drops its connections when it is resumed.
    for (const m of this.d.members) if (this.live(m).paused) this.reconnectOnResume.add(m.id);
  }

  /** One engine action at a time: a partition half-applied while a kill runs would be a mess to explain. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.enqueue(fn).catch((err: unknown) => {
      throw err instanceof Error && !isEngineError(err)
        ? err
        : new Error(`docker backend: ${describeEngineError(err)}`);
    });
  }

  private member(idOrName: string): Member {
    const m = this.d.members.find((x) => x.id === idOrName || x.name === idOrName);
    if (!m) {
      const known = this.d.members.map((x) => x.name).join(', ');
      throw new Error(`no node '${idOrName}' in compose project '${this.d.project}' (its nodes: ${known})`);
    }
    return m;
  }

  private live(m: Member): LiveState {
    return this.state.get(m.id) ?? { up: false, paused: false, networks: [] };
  }

  /** Reads every node container's state in one engine call (also notices an instructor's own `docker stop`). */
  private async refresh(): Promise<void> {
    const list = await this.docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${PROJECT_LABEL}=${this.d.project}`] }),
    });
    for (const m of this.d.members) {
      const c = list.find((x) => x.Id === m.containerId);
      this.state.set(m.id, {
        up: c?.State === 'running' || c?.State === 'paused',
        paused: c?.State === 'paused',
        networks: Object.keys(c?.NetworkSettings?.Networks ?? {}),
      });
    }
  }

  /** The members whose container runs and is not frozen (they can answer an /admin call), as of now. */
  private async running(): Promise<Member[]> {
    await this.refresh();
    return this.d.members.filter((m) => this.live(m).up && !this.live(m).paused);
  }

  private async inspectState(m: Member): Promise<LiveState> {
    const info = await this.docker.getContainer(m.containerId).inspect();
    return {
      up: info.State.Running,
      paused: info.State.Paused,
      networks: Object.keys(info.NetworkSettings.Networks ?? {}),
    };
  }

  private async postNoop(m: Member, enabled: boolean): Promise<void> {
    await adminPost(m.url, this.adminToken('noop'), 'noop', { enabled });
  }

  private async postSpeed(m: Member, factor: number): Promise<void> {
    await adminPost(m.url, this.adminToken('speed'), 'speed', { factor });
  }

  private adminToken(what: string): string {
    if (!this.d.adminToken) {
      throw new Error(
        `${what} needs the nodes' admin API: give every node service the same ADMIN_TOKEN (docker-compose.yml does)`,
      );
    }
    return this.d.adminToken;
  }

  /** Polls /status until every given node answers, or explains which did not. */
  private async waitReady(members: Member[]): Promise<void> {
    const problems = await untilAnswering(members, { timeoutMs: this.readyTimeoutMs, intervalMs: 200 });
    if (problems.length > 0) {
      throw new Error(
        `not ready within ${this.readyTimeoutMs / 1000} s: ${problems.join('; ')}; see \`docker logs\` of their containers`,
      );
    }
  }
}

/** Compose defines the five node services; a sixth container is not created by the lab. */
