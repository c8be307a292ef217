// The `docker` cluster backend: the node containers of a docker-compose.yml cluster, driven
// through the Docker Engine API (dockerode over the unix socket). Every fault is real:
// kill = SIGKILL, restart = start, pause = the cgroup freezer, partition = moving containers
// between networks so that only nodes of the same group share one. docs/docker.md explains
// what mounting the socket grants.

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import process from 'node:process';
import Docker from 'dockerode';
import { ALL_FAULTS, type BackendKind, type ClusterNode, type Fault } from '../../contract/cluster-view.ts';
import type { ClusterBackend } from './backend.ts';
import { NetworkControl } from './network-control.ts';

/** Compose puts these on every container it creates; we find the cluster by them, not by names. */
const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
/** docker-compose.yml marks node services with it, so other services of the project are never touched. */
const ROLE_LABEL = 'raft-lab.role';
/** Networks this backend creates for the minority sides of a partition carry the project here. */
const PARTITION_LABEL = 'raft-lab.partition-of';

export interface DockerBackendOptions {
  /** The compose project of the cluster. Default: the lab's own project when it runs in it, else the only project with Raft nodes. */
  composeProject?: string;
  /** Default: DOCKER_HOST's unix:// path, else /var/run/docker.sock. */
  socketPath?: string;
  /**
   * How the lab reaches the nodes: `network` = http://node3:5000 (the lab runs on the cluster's
   * network, as in docker-compose.yml); `published` = the port the node publishes on this host.
   * Default: `network` inside a container, `published` outside.
   */
  reach?: 'network' | 'published';
  /** The nodes' ADMIN_TOKEN (needed for `speed`). Default: the ADMIN_TOKEN of the node containers. */
  adminToken?: string;
  /** How long start(), restart() and reset() wait for nodes to answer /status. */
  readyTimeoutMs?: number;
}

/** A member as the docker backend sees it: ClusterNode plus where learners see it. */
export interface DockerClusterNode extends ClusterNode {
  /** The node's ADVERTISE_URL (e.g. http://localhost:5003): what its redirects and `leader_url` name. */
  advertiseUrl: string;
  /**
   * Every other URL that means this node: its ADVERTISE_URL and the URL its peers use
   * (http://node3:5000, which lessons capture from `/status` peers). The lab's host guard should
   * accept them all and send the request to `url`.
   */
  aliases: string[];
  /** The compose service, e.g. "node3" (also its DNS name on the cluster network). */
  service: string;
  containerId: string;
}

interface Member extends DockerClusterNode {
  port: number;
  dataDir: string;
}

interface LiveState {
  up: boolean;
  paused: boolean;
  networks: string[];
}

/** Everything we need to know about the cluster, read once from the engine. */
interface Discovery {
  project: string;
  members: Member[];
  clusterNetwork: string;
  /** The lab's own container when it runs inside Docker (it must join partition networks to keep seeing every node). */
  selfContainer: string | null;
  adminToken: string | null;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const POLL_MS = 1000;

export class DockerBackend implements ClusterBackend {
  readonly kind: BackendKind = 'docker';
  readonly faults: readonly Fault[] = ALL_FAULTS;

  private readonly state = new Map<string, LiveState>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private speedFactor = 1;
  private noopEnabled = true;
  private stopped = false;
  readonly network: NetworkControl;

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
        `the Docker engine at ${socketPath} does not answer (${describe(err)}): is dockerd running?`,
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
      await this.applyGroups([this.d.members]);
      await this.refresh();
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
      await this.applyGroups([this.d.members]);
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
      if (s.paused) await c.unpause();
      else if (!s.up) await c.start();
      await this.refresh();
      await this.waitReady([m]);
      // A fresh process starts at normal speed; keep the classroom's slow motion.
      if (this.speedFactor !== 1) await this.postSpeed(m, this.speedFactor);
      if (!this.noopEnabled) await this.postNoop(m, false);
      await this.network.reapply(m.id);
    });
  }

  pause(id: string): Promise<void> {
    return this.serial(async () => {
      const m = this.member(id);
      const s = await this.inspectState(m);
      if (!s.up) throw new Error(`${m.name} is not running (killed?): restart ${m.name} before pausing it`);
      if (!s.paused) await this.docker.getContainer(m.containerId).pause();
      await this.refresh();
    });
  }

  resume(id: string): Promise<void> {
    return this.serial(async () => {
      const m = this.member(id);
      const s = await this.inspectState(m);
      if (s.paused) await this.docker.getContainer(m.containerId).unpause();
      await this.refresh();
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
      await this.applyGroups(resolved.filter((g) => g.length > 0));
      await this.refresh();
    });
  }

  heal(): Promise<void> {
    return this.serial(async () => {
      await this.applyGroups([this.d.members]);
      await this.refresh();
      // The nodes' own message-level faults (hold, links, timers) live behind their /admin API.
      if (this.d.adminToken) await this.network.heal();
    });
  }

  speed(factor: number): Promise<void> {
    return this.serial(async () => {
      if (!Number.isFinite(factor) || factor <= 0)
        throw new Error(`speed must be a positive number, got ${factor}`);
      await this.refresh();
      const up = this.d.members.filter((m) => {
        const s = this.live(m);
        return s.up && !s.paused;
      });
      await Promise.all(up.map((m) => this.postSpeed(m, factor)));
      this.speedFactor = factor;
    });
  }

  /** §8's no-op switch on every running node, through its /admin API as for `speed`. */
  noop(enabled: boolean): Promise<void> {
    return this.serial(async () => {
      await this.refresh();
      const up = this.d.members.filter((m) => {
        const s = this.live(m);
        return s.up && !s.paused;
      });
      await Promise.all(up.map((m) => this.postNoop(m, enabled)));
      this.noopEnabled = enabled;
    });
  }

  reset(): Promise<void> {
    return this.serial(async () => {
      await this.refresh();
      await Promise.all(
        this.d.members.map(async (m) => {
          const c = this.docker.getContainer(m.containerId);
          const s = this.live(m);
          if (s.up) await c.kill({ signal: 'SIGKILL' });
          if (s.paused) await ignoreNotPaused(c.unpause());
        }),
      );
      await this.applyGroups([this.d.members]);
      await this.wipeAllData();
      await Promise.all(this.d.members.map((m) => this.docker.getContainer(m.containerId).start()));
      this.speedFactor = 1;
      this.noopEnabled = true;
      this.network.forget();
      await this.refresh();
      await this.waitReady(this.d.members);
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

  /** One engine action at a time: a partition half-applied while a kill runs would be a mess to explain. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run.catch((err: unknown) => {
      throw err instanceof Error && !isEngineError(err) ? err : new Error(`docker backend: ${describe(err)}`);
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

  private async inspectState(m: Member): Promise<LiveState> {
    const info = await this.docker.getContainer(m.containerId).inspect();
    return {
      up: info.State.Running,
      paused: info.State.Paused,
      networks: Object.keys(info.NetworkSettings.Networks ?? {}),
    };
  }

  /**
   * Puts every group on a network of its own: one group stays on the cluster network, each
   * other group gets a fresh bridge network where its members keep their service names as DNS
   * aliases (a container that changes networks changes address, and connections to its old
   * address hang until they time out). The lab's own container joins every network so
   * that it keeps seeing the whole cluster.
   */
  private async applyGroups(groups: Member[][]): Promise<void> {
    await this.refresh();
    // The group that stays keeps its addresses and so its open connections: the leader's group
    // (its leader goes on leading, as in a real partition), else the largest (fewest moves).
    const leader = groups.length > 1 ? await currentLeader(this.d.members) : null;
    const stays = (g: Member[]) => (leader !== null && g.some((m) => m.id === leader) ? 1 : 0);
    const ordered = [...groups].sort((a, b) => stays(b) - stays(a) || b.length - a.length);
    const target = new Map<string, string>();
    const needed: string[] = [];
    // Fresh names for every partition, so that no node of another group still sits on a
    // network its new group joins.
    const tag = Date.now().toString(36);
    ordered.forEach((g, i) => {
      const net = i === 0 ? this.d.clusterNetwork : `${this.d.project}_raftlab-${tag}-${i}`;
      if (i > 0) needed.push(net);
      for (const m of g) target.set(m.id, net);
    });

    for (const net of needed) await this.ensurePartitionNetwork(net);

    // The order keeps two promises. No two groups ever share a network, not even for a moment
    // (a moment was enough for a node with a longer log to win an election across the cut, seen
    // with the Figure 8 lesson). And a node joins its new network before it leaves the old one,
    // so the members of a group that moves together keep reaching each other (new connections
    // resolve the names there) well inside an election timeout.
    const onNet = (m: Member, net: string) => this.live(m).networks.includes(net);
    const join = (ms: Member[]) =>
      Promise.all(
        ms
          .filter((m) => !onNet(m, target.get(m.id)!))
          .map((m) =>
            ignoreAlreadyConnected(
              this.docker
                .getNetwork(target.get(m.id)!)
                .connect({ Container: m.containerId, EndpointConfig: { Aliases: [m.service] } }),
            ),
          ),
      );
    const leave = (ms: Member[]) =>
      Promise.all(
        ms.flatMap((m) =>
          this.live(m)
            .networks.filter((net) => net !== target.get(m.id))
            .map((net) =>
              ignoreNotConnected(
                this.docker.getNetwork(net).disconnect({ Container: m.containerId, Force: true }),
              ),
            ),
        ),
      );
    const toCluster = this.d.members.filter((m) => target.get(m.id) === this.d.clusterNetwork);
    const elsewhere = this.d.members.filter((m) => target.get(m.id) !== this.d.clusterNetwork);
    // 1. groups that go to fresh networks join them (only their own members are there), then
    //    leave every other network, the cluster network included;
    await join(elsewhere);
    await leave(elsewhere);
    // 2. now only the staying group is on the cluster network (and on the old partition
    //    networks): its members that were cut off join it, then leave the old networks.
    await join(toCluster);
    await leave(toCluster);
    await this.removeUnusedPartitionNetworks(new Set(needed));
  }

  private async ensurePartitionNetwork(name: string): Promise<void> {
    const existing = await this.docker.listNetworks({ filters: JSON.stringify({ name: [name] }) });
    if (!existing.some((n) => n.Name === name)) {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [PARTITION_LABEL]: this.d.project },
      });
    }
    if (this.d.selfContainer) {
      await ignoreAlreadyConnected(this.docker.getNetwork(name).connect({ Container: this.d.selfContainer }));
    }
  }

  private async removeUnusedPartitionNetworks(keep: Set<string>): Promise<void> {
    const ours = await this.docker.listNetworks({
      filters: JSON.stringify({ label: [`${PARTITION_LABEL}=${this.d.project}`] }),
    });
    for (const n of ours) {
      if (keep.has(n.Name)) continue;
      const net = this.docker.getNetwork(n.Id);
      const info = await net.inspect();
      for (const id of Object.keys(info.Containers ?? {})) {
        await ignoreNotConnected(net.disconnect({ Container: id, Force: true }));
      }
      await net.remove();
    }
  }

  /**
   * Empties every (stopped) node's data directory with one throwaway container that mounts all
   * their volumes: one container start instead of five, which is most of a reset's time.
   */
  private async wipeAllData(): Promise<void> {
    const binds: string[] = [];
    const dirs: string[] = [];
    let image = '';
    for (const m of this.d.members) {
      const info = await this.docker.getContainer(m.containerId).inspect();
      image ||= info.Image;
      const mount = (info.Mounts ?? [])
        .filter(
          (x) => m.dataDir === x.Destination || m.dataDir.startsWith(`${x.Destination.replace(/\/$/, '')}/`),
        )
        .sort((x, y) => y.Destination.length - x.Destination.length)[0];
      if (!mount || (mount.Type !== 'volume' && mount.Type !== 'bind')) {
        throw new Error(
          `${m.name} keeps its data (${m.dataDir}) inside the container, not on a volume, so reset cannot wipe it: ` +
            `mount a volume at ${m.dataDir} (docker-compose.yml does)`,
        );
      }
      const source = mount.Type === 'volume' ? mount.Name! : mount.Source;
      binds.push(`${source}:/wipe/${m.id}`);
      dirs.push(`/wipe/${m.id}${m.dataDir.slice(mount.Destination.replace(/\/$/, '').length)}`);
    }
    const wipe =
      "const fs=require('node:fs');for(const d of process.argv.slice(1)){if(!fs.existsSync(d))continue;" +
      "for(const f of fs.readdirSync(d))fs.rmSync(d+'/'+f,{recursive:true,force:true})}";
    const helper = await this.docker.createContainer({
      Image: image,
      Entrypoint: ['node', '-e', wipe],
      Cmd: dirs,
      // root: the volumes' files belong to the nodes' user, whoever that is in a custom image.
      User: '0',
      Labels: { [ROLE_LABEL]: 'reset-helper', [PARTITION_LABEL]: this.d.project },
      HostConfig: { Binds: binds, NetworkMode: 'none' },
    });
    try {
      await helper.start();
      const result = (await helper.wait()) as { StatusCode?: number };
      if (result.StatusCode !== 0) {
        throw new Error(`wiping the nodes' data (${dirs.join(', ')}) failed (exit ${result.StatusCode})`);
      }
    } finally {
      await helper.remove({ force: true, v: true }).catch(() => {});
    }
  }

  private async postNoop(m: Member, enabled: boolean): Promise<void> {
    await this.postAdmin(m, 'noop', { enabled });
  }

  private async postSpeed(m: Member, factor: number): Promise<void> {
    await this.postAdmin(m, 'speed', { factor });
  }

  private adminToken(what: string): string {
    if (!this.d.adminToken) {
      throw new Error(
        `${what} needs the nodes' admin API: give every node service the same ADMIN_TOKEN (docker-compose.yml does)`,
      );
    }
    return this.d.adminToken;
  }

  private async postAdmin(m: Member, action: string, body: Record<string, unknown>): Promise<void> {
    const token = this.adminToken(action);
    const res = await fetch(`${m.url}/admin/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) {
      throw new Error(
        `${m.name} refused ${action} ${JSON.stringify(body)}: HTTP ${res.status} ${await res.text()}`,
      );
    }
  }

  /** Polls /status until every given node answers, or explains which did not. */
  private async waitReady(members: Member[]): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    let waiting = members;
    while (waiting.length > 0) {
      const answers = await Promise.all(waiting.map((m) => answersStatus(m.url)));
      waiting = waiting.filter((_, i) => !answers[i]);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        const names = waiting.map((m) => `${m.name} (${m.url})`).join(', ');
        throw new Error(
          `${names} did not answer /status within ${this.readyTimeoutMs / 1000} s; see \`docker logs\` of their containers`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

// ---- discovery

async function discover(docker: Docker, options: DockerBackendOptions): Promise<Discovery> {
  const self = await findSelf(docker);
  const reach = options.reach ?? reachFromEnv() ?? (self ? 'network' : 'published');
  let project = options.composeProject || projectFromEnv() || self?.project || null;

  const all = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${ROLE_LABEL}=node`] }),
  });
  if (project === null) {
    const projects = [...new Set(all.map((c) => c.Labels[PROJECT_LABEL]).filter(Boolean))];
    if (projects.length === 0) {
      throw new Error(
        'no Raft node containers found (containers labelled raft-lab.role=node): start the cluster with ' +
          '`docker compose up -d` in the project folder first',
      );
    }
    if (projects.length > 1) {
      throw new Error(
        `several Raft clusters are running (compose projects: ${projects.join(', ')}): ` +
          'say which one with COMPOSE_PROJECT_NAME=<project>',
      );
    }
    project = projects[0]!;
  }
  const mine = all.filter((c) => c.Labels[PROJECT_LABEL] === project);
  if (mine.length === 0) {
    throw new Error(
      `compose project '${project}' has no Raft node containers (labelled raft-lab.role=node): ` +
        '`docker compose ps` shows what runs; start the cluster with `docker compose up -d`',
    );
  }

  const members: Member[] = [];
  let adminToken = options.adminToken ?? null;
  const networkCount = new Map<string, number>();
  for (const c of mine) {
    const info = await docker.getContainer(c.Id).inspect();
    const env = envMap(info.Config.Env ?? []);
    const service = c.Labels[SERVICE_LABEL] ?? info.Name.replace(/^\//, '');
    const id = env.NODE_ID;
    if (!id) throw new Error(`container ${info.Name} (service ${service}) has no NODE_ID in its environment`);
    const port = Number(env.PORT ?? '5000');
    const url = reach === 'network' ? `http://${service}:${port}` : publishedUrl(info, port, service);
    members.push({
      id,
      name: service,
      service,
      url,
      advertiseUrl: env.ADVERTISE_URL ?? url,
      aliases: [...new Set([env.ADVERTISE_URL, `http://${service}:${port}`])].filter(
        (a): a is string => a !== undefined && a !== url,
      ),
      containerId: c.Id,
      port,
      dataDir: env.DATA_DIR ?? `/app/data/node-${id}`,
    });
    adminToken ??= env.ADMIN_TOKEN ?? null;
    for (const n of Object.keys(info.NetworkSettings.Networks ?? {})) {
      networkCount.set(n, (networkCount.get(n) ?? 0) + 1);
    }
  }
  members.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  const clusterNetwork = await findClusterNetwork(docker, project, networkCount);
  return { project, members, clusterNetwork, selfContainer: self?.id ?? null, adminToken };
}

/** The lab's own container, when it runs in one (its hostname is the container id). */
async function findSelf(docker: Docker): Promise<{ id: string; project: string | null } | null> {
  if (!existsSync('/.dockerenv')) return null;
  try {
    const info = await docker.getContainer(hostname()).inspect();
    return { id: info.Id, project: info.Config.Labels?.[PROJECT_LABEL] ?? null };
  } catch {
    return null;
  }
}

/** The network compose made for the cluster: the one the nodes share that is not one of our partition networks. */
async function findClusterNetwork(
  docker: Docker,
  project: string,
  counts: Map<string, number>,
): Promise<string> {
  const ours = await docker.listNetworks({
    filters: JSON.stringify({ label: [`${PARTITION_LABEL}=${project}`] }),
  });
  const partitionNets = new Set(ours.map((n) => n.Name));
  const candidates = [...counts.entries()]
    .filter(([name]) => !partitionNets.has(name) && name !== 'none' && name !== 'host')
    .sort((a, b) => b[1] - a[1]);
  if (candidates.length > 0) return candidates[0]![0];
  // Every node sits in a partition network left by an earlier lab: fall back to compose's own network.
  const composeNets = await docker.listNetworks({
    filters: JSON.stringify({ label: [`${PROJECT_LABEL}=${project}`] }),
  });
  if (composeNets.length === 0) throw new Error(`compose project '${project}' has no network for its nodes`);
  return composeNets[0]!.Name;
}

function publishedUrl(info: Docker.ContainerInspectInfo, port: number, service: string): string {
  const bindings = info.HostConfig.PortBindings?.[`${port}/tcp`] as
    | { HostIp?: string; HostPort?: string }[]
    | undefined;
  const b = bindings?.find((x) => x.HostPort);
  if (!b?.HostPort) {
    throw new Error(
      `${service} publishes no host port for ${port}/tcp, and a lab outside Docker reaches nodes through ` +
        "published ports: add `ports:` to the service, or run the lab as the compose file's `lab` service",
    );
  }
  const host = !b.HostIp || b.HostIp === '0.0.0.0' ? '127.0.0.1' : b.HostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${b.HostPort}`;
}

/** The node that says it leads in the highest term, if any answers quickly. */
async function currentLeader(members: Member[]): Promise<string | null> {
  const views = await Promise.all(
    members.map(async (m) => {
      try {
        const res = await fetch(`${m.url}/status`, { signal: AbortSignal.timeout(1000) });
        const s = (await res.json()) as { state?: string; term?: number };
        return s.state === 'leader' ? { id: m.id, term: s.term ?? 0 } : null;
      } catch {
        return null;
      }
    }),
  );
  const leaders = views.filter((v) => v !== null).sort((a, b) => b.term - a.term);
  return leaders[0]?.id ?? null;
}

async function answersStatus(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function envMap(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function socketFromEnv(): string | undefined {
  const h = process.env.DOCKER_HOST;
  return h?.startsWith('unix://') ? h.slice('unix://'.length) : undefined;
}

function projectFromEnv(): string | undefined {
  return process.env.RAFT_COMPOSE_PROJECT || process.env.COMPOSE_PROJECT_NAME || undefined;
}

function reachFromEnv(): 'network' | 'published' | undefined {
  const r = process.env.LAB_DOCKER_REACH;
  return r === 'network' || r === 'published' ? r : undefined;
}

interface EngineError {
  statusCode?: number;
  json?: { message?: string };
  reason?: string;
  message?: string;
}

function isEngineError(err: unknown): boolean {
  return typeof (err as EngineError)?.statusCode === 'number';
}

function describe(err: unknown): string {
  const e = err as EngineError;
  if (typeof e?.statusCode === 'number') {
    return `the Docker engine answered ${e.statusCode}: ${e.json?.message ?? e.reason ?? e.message ?? 'no detail'}`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function ignoreStatus(p: Promise<unknown>, ok: (e: EngineError) => boolean): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!ok(err as EngineError)) throw err;
  }
}

const ignoreNotPaused = (p: Promise<unknown>) =>
  ignoreStatus(p, (e) => /not paused|is not running/i.test(e.json?.message ?? ''));
const ignoreNotConnected = (p: Promise<unknown>) =>
  ignoreStatus(p, (e) => e.statusCode === 404 || /is not connected/i.test(e.json?.message ?? ''));
const ignoreAlreadyConnected = (p: Promise<unknown>) =>
  ignoreStatus(
    p,
    (e) => e.statusCode === 403 || /already exists|already connected/i.test(e.json?.message ?? ''),
  );
