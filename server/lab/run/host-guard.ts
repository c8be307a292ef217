// The lab sends HTTP only to the cluster's own nodes, so a cell (or a redirect) can never make
// the lab reach another machine or service. A node may be known by two URLs: where the lab
// reaches it (`url`) and what it calls itself in redirects (its `aliases`, e.g. with Docker);
// both are accepted and requests always go to `url`.

import type { ClusterNode } from '../../contract/cluster-view.ts';
import { CellRunError } from './run-error.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `http://localhost:5001` and `http://127.0.0.1:5001` are the same socket: both are allowed. */
function originsOf(nodeUrl: string): string[] {
  const u = new URL(nodeUrl);
  if (!LOOPBACK.has(u.hostname)) return [u.origin];
  return [...LOOPBACK].map(
    (host) => `${u.protocol}//${host}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`,
  );
}

function originOf(u: URL): string {
  return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
}

export class HostGuard {
  private owners = new Map<string, ClusterNode>();
  private seen: ClusterNode[] = [];

  /** `nodes`: the members, or a function giving them now (membership changes, §4.1). */
  constructor(private readonly members: ClusterNode[] | (() => ClusterNode[])) {}

  private get nodes(): ClusterNode[] {
    const now = typeof this.members === 'function' ? this.members() : this.members;
    if (now !== this.seen) {
      this.seen = now;
      this.owners = new Map();
      for (const node of now) {
        for (const url of [node.url, ...(node.aliases ?? [])]) {
          for (const origin of originsOf(url)) this.owners.set(origin, node);
        }
      }
    }
    return now;
  }

  /** The node a URL points at, or null when it is not one of the cluster's. */
  nodeFor(url: string | URL): ClusterNode | null {
    try {
      const u = typeof url === 'string' ? new URL(url) : url;
      void this.nodes;
      return this.owners.get(originOf(u)) ?? null;
    } catch {
      return null;
    }
  }

  /**
   * Parses the URL and throws a learner-facing error unless it points at one of the nodes.
   * Returns the URL to fetch: same path and query, at the node's own `url`.
   */
  check(url: string, via?: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new CellRunError(
        `\`${url}\` is not a full URL`,
        'Start it with a node, e.g. {{node1}}/status or {{leader}}/client_command.',
      );
    }
    const node = this.nodeFor(u);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || !node) {
      const known = this.nodes.map((n) => `${n.name} ${n.url}`).join(', ');
      const what = via
        ? `the redirect from ${via} leads to ${u.href}`
        : `${u.href} is not a node of this cluster`;
      throw new CellRunError(
        `the lab only sends requests to the cluster's own nodes, and ${what}`,
        `Use {{node1}}…{{node${this.nodes.length}}}, {{leader}} or {{follower}}. The nodes are: ${known}.`,
      );
    }
    const base = new URL(node.url);
    u.protocol = base.protocol;
    u.host = base.host;
    return u;
  }
}
