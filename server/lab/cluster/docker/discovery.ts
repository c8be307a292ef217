// Finds a compose project's Raft node containers through the Docker Engine API: who the
// members are, how the lab reaches each, the cluster's network, and the lab's own container.
// Read once when the docker backend opens (docs/docker.md).

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import process from 'node:process';
import type Docker from 'dockerode';
import type { ClusterNode } from '../../../contract/cluster-view.ts';

/** Compose puts these on every container it creates; we find the cluster by them, not by names. */
export const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
/** docker-compose.yml marks node services with it, so other services of the project are never touched. */
export const ROLE_LABEL = 'raft-lab.role';
/** Networks (and helpers) this backend creates carry the project here. */
export const PARTITION_LABEL = 'raft-lab.partition-of';

export interface DiscoveryOptions {
  /** The compose project of the cluster. Default: the lab's own project when it runs in it, else the only project with Raft nodes. */
  composeProject?: string;
  /**
   * How the lab reaches the nodes: `network` = http://node3:5000 (the lab runs on the cluster's
   * network, as in docker-compose.yml); `published` = the port the node publishes on this host.
   * Default: `network` inside a container, `published` outside.
   */
  reach?: 'network' | 'published';
  /** The nodes' ADMIN_TOKEN (needed for `speed`). Default: the ADMIN_TOKEN of the node containers. */
  adminToken?: string;
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

export interface Member extends DockerClusterNode {
  port: number;
  dataDir: string;
}

/** Everything we need to know about the cluster, read once from the engine. */
export interface Discovery {
  project: string;
  members: Member[];
  clusterNetwork: string;
  /** The lab's own container when it runs inside Docker (it must join partition networks to keep seeing every node). */
  selfContainer: string | null;
  adminToken: string | null;
}

/** Reads the cluster's containers once: members, networks, the lab's own container, the admin token. */
export async function discover(docker: Docker, options: DiscoveryOptions): Promise<Discovery> {
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

function envMap(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function socketFromEnv(): string | undefined {
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
