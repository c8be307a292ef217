// A partition, done for real: the nodes of each group share a Docker network of their own, so
// packets between groups never arrive (docs/docker.md). Networks this module creates carry
// the project's PARTITION_LABEL and are removed once no group uses them.

import type Docker from 'dockerode';
import { type Discovery, type Member, PARTITION_LABEL } from './discovery.ts';
import { ignoreAlreadyConnected, ignoreNotConnected } from './engine-errors.ts';
import { dropPooledConnections } from './lab-connections.ts';

/** What the backend knows now: each member's networks (after `refresh`), and who leads. */
export interface NetworkView {
  refresh(): Promise<void>;
  networksOf(m: Member): string[];
  /** The node that says it leads in the highest term, if any answers quickly. */
  leaderId(): Promise<string | null>;
}

/**
 * Puts every group on a network of its own: one group stays on the cluster network, each
 * other group gets a fresh bridge network where its members keep their service names as DNS
 * aliases (a container that changes networks changes address, and connections to its old
 * address hang until they time out). The lab's own container joins every network so
 * that it keeps seeing the whole cluster.
 * Answers whether any container changed networks (and so address).
 */
export async function applyGroups(
  docker: Docker,
  d: Discovery,
  groups: Member[][],
  view: NetworkView,
): Promise<boolean> {
  await view.refresh();
  // The group that stays keeps its addresses and so its open connections: the leader's group
  // (its leader goes on leading, as in a real partition), else the largest (fewest moves).
  const leader = groups.length > 1 ? await view.leaderId() : null;
  const stays = (g: Member[]) => (leader !== null && g.some((m) => m.id === leader) ? 1 : 0);
  const ordered = [...groups].sort((a, b) => stays(b) - stays(a) || b.length - a.length);
  const target = new Map<string, string>();
  const needed: string[] = [];
  // Fresh names for every partition, so that no node of another group still sits on a
  // network its new group joins.
  const tag = Date.now().toString(36);
  ordered.forEach((g, i) => {
    const net = i === 0 ? d.clusterNetwork : `${d.project}_raftlab-${tag}-${i}`;
    if (i > 0) needed.push(net);
    for (const m of g) target.set(m.id, net);
  });

  for (const net of needed) await ensurePartitionNetwork(docker, d, net);

  // The order keeps two promises. No two groups ever share a network, not even for a moment
  // (a moment was enough for a node with a longer log to win an election across the cut, seen
  // with the Figure 8 lesson). And a node joins its new network before it leaves the old one,
  // so the members of a group that moves together keep reaching each other (new connections
  // resolve the names there) well inside an election timeout.
  const onNet = (m: Member, net: string) => view.networksOf(m).includes(net);
  // Whether any node changes address (joins or leaves a network): the lab's connections to it then hang.
  const moved = d.members.some(
    (m) => !onNet(m, target.get(m.id)!) || view.networksOf(m).some((net) => net !== target.get(m.id)),
  );
  const join = (ms: Member[]) =>
    Promise.all(
      ms
        .filter((m) => !onNet(m, target.get(m.id)!))
        .map((m) =>
          ignoreAlreadyConnected(
            docker
              .getNetwork(target.get(m.id)!)
              .connect({ Container: m.containerId, EndpointConfig: { Aliases: [m.service] } }),
          ),
        ),
    );
  const leave = (ms: Member[]) =>
    Promise.all(
      ms.flatMap((m) =>
        view
          .networksOf(m)
          .filter((net) => net !== target.get(m.id))
          .map((net) =>
            ignoreNotConnected(docker.getNetwork(net).disconnect({ Container: m.containerId, Force: true })),
          ),
      ),
    );
  const toCluster = d.members.filter((m) => target.get(m.id) === d.clusterNetwork);
  const elsewhere = d.members.filter((m) => target.get(m.id) !== d.clusterNetwork);
  // 1. groups that go to fresh networks join them (only their own members are there), then
  //    leave every other network, the cluster network included;
  await join(elsewhere);
  await leave(elsewhere);
  // 2. now only the staying group is on the cluster network (and on the old partition
  //    networks): its members that were cut off join it, then leave the old networks.
  await join(toCluster);
  await leave(toCluster);
  await removeUnusedPartitionNetworks(docker, d, new Set(needed));
  if (moved) dropPooledConnections();
  return moved;
}

async function ensurePartitionNetwork(docker: Docker, d: Discovery, name: string): Promise<void> {
  const existing = await docker.listNetworks({ filters: JSON.stringify({ name: [name] }) });
  if (!existing.some((n) => n.Name === name)) {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [PARTITION_LABEL]: d.project },
    });
  }
  if (d.selfContainer) {
    await ignoreAlreadyConnected(docker.getNetwork(name).connect({ Container: d.selfContainer }));
  }
}

async function removeUnusedPartitionNetworks(docker: Docker, d: Discovery, keep: Set<string>): Promise<void> {
  const ours = await docker.listNetworks({
    filters: JSON.stringify({ label: [`${PARTITION_LABEL}=${d.project}`] }),
  });
  for (const n of ours) {
    if (keep.has(n.Name)) continue;
    const net = docker.getNetwork(n.Id);
    const info = await net.inspect();
    for (const id of Object.keys(info.Containers ?? {})) {
      await ignoreNotConnected(net.disconnect({ Container: id, Force: true }));
    }
    await net.remove();
  }
}
