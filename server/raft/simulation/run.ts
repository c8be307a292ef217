// One deterministic simulated run: a cluster of real RaftCores on a faulty network, with
// crashes, restarts, partitions, clients writing and reading, snapshots taken and installed
// (with crashes in the middle), leadership transfers, membership changes and lost disks,
// PreVote/CheckQuorum/leases on or off — all driven by one seeded PRNG. During the "chaos"
// phase safety is checked after every step; then the faults stop and the cluster must
// elect a leader and commit a new command (liveness, loosely).

import type { RaftCore } from '../core.ts';
import type { Configuration, CoreConfig, NodeId, ReadMode } from '../types.ts';
import { SimClients } from './clients.ts';
import { SafetyChecker } from './invariants.ts';
import { type NetworkFaults, NO_FAULTS, SimNetwork } from './network.ts';
import { Operator } from './operator.ts';
import { Prng } from './prng.ts';
import { SimNode } from './sim-node.ts';

export interface SimOptions {
  /** Cluster size; by default 3 for even seeds and 5 for odd ones. */
  nodes: number;
  chaosTicks: number;
  /** Ticks allowed, after the faults stop, for a leader to commit a new command. */
  livenessTicks: number;
  /** Receives a line per event, for reading a failing seed. */
  trace?: (line: string) => void;
  /**
   * §8's no-op on election; by default off for a quarter of the seeds, of both sizes (seeds
   * 2, 3, 10, 11, …), so Figure 8 (c) — an old-term entry on a majority, uncommitted — occurs.
   */
  noopOnElection: boolean;
}

export interface SimStats {
  seed: number;
  nodes: number;
  noopOnElection: boolean;
  preVote: boolean;
  checkQuorum: boolean;
  readMode: ReadMode;
  ticks: number;
  steps: number;
  crashes: number;
  partitions: number;
  terms: number;
  committed: number;
  acknowledged: number;
  readsConfirmed: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  crashesAfterSnapshotWrite: number;
  transfers: number;
  membershipChanges: number;
  wipes: number;
  reAdded: number;
}

export class LivenessFailure extends Error {}

const ELECTION_MIN = 10;
const ELECTION_MAX = 20;
const HEARTBEAT = 2;
/** Servers that may be added later (dissertation §4.2.1), beyond the initial ones. */
const SPARES = 2;

export function runSimulation(seed: number, options: Partial<SimOptions> = {}): SimStats {
  const rng = new Prng(seed);
  const n = options.nodes ?? (seed % 2 === 0 ? 3 : 5);
  const chaosTicks = options.chaosTicks ?? 300;
  const livenessTicks = options.livenessTicks ?? 400;
  const trace = options.trace;
  const noopOnElection = options.noopOnElection ?? Math.floor(seed / 2) % 4 !== 1;
  const ids: NodeId[] = Array.from({ length: n }, (_, i) => String(i + 1));
  const spares: NodeId[] = Array.from({ length: SPARES }, (_, i) => String(n + i + 1));

  // Each run draws its own weather, from calm to hostile.
  const faults: NetworkFaults = {
    dropRate: rng.pick([0, 0.02, 0.1, 0.3]),
    duplicateRate: rng.pick([0, 0.05, 0.2]),
    maxDelayTicks: rng.int(1, 5),
    longDelayRate: rng.pick([0, 0.01, 0.05]),
    longDelayTicks: 40,
    reorder: true,
  };
  const crashRate = rng.pick([0, 0.005, 0.02, 0.05]);
  const leaderCrashRate = rng.pick([0, 0.01, 0.03, 0.15]);
  // Figure 8's trap needs a leader that commits and dies before the others hear of it.
  const crashAfterCommitRate = rng.pick([0, 0, 0.1, 0.3]);
  const partitionRate = rng.pick([0, 0.01, 0.03]);
  const slowFsyncRate = rng.pick([0, 0.3, 0.7]);
  const maxEntriesPerMessage = rng.pick([1, 2, 8, 512]);
  // A few simulated entries (~90 bytes each) per message, or the default.
  const maxBytesPerMessage = rng.pick([100, 400, undefined]);
  const maxInflightBytes = rng.pick([300, undefined]);
  // The dissertation's additions, each on in some runs and off in others.
  const preVote = rng.chance(0.6);
  const checkQuorum = rng.chance(0.6);
  const readMode: ReadMode = rng.chance(0.3) ? 'lease' : 'read_index';
  const readRate = rng.pick([0, 0.2, 0.5]);
  // Run-time switches flipped on single nodes: a cluster of mixed settings must stay safe.
  // (Not CheckQuorum under leases: a lease relies on every voter honouring stickiness.)
  const toggleRate = rng.pick([0, 0, 0.01]);
  const compactEvery = rng.pick([0, 0, 4, 10, 30]);
  const crashAfterSnapshotWriteRate = compactEvery > 0 ? rng.pick([0, 0.1, 0.3]) : 0;
  const membership = rng.chance(0.4);
  const operatorRates = {
    membership: membership ? rng.pick([0.03, 0.08]) : 0,
    wipe: membership ? rng.pick([0, 0.005, 0.015]) : 0,
    wipeUntil: chaosTicks / 2,
    transfer: rng.pick([0, 0, 0.01, 0.03]),
  };

  const net = new SimNetwork(rng.fork(), faults);
  const fsyncRng = rng.fork();
  const fsyncTicks = () => (fsyncRng.chance(slowFsyncRate) ? 1 : 0);
  const bootstrap: Configuration = { voters: ids, learners: [] };
  const checker = new SafetyChecker(bootstrap);
  const clients = new SimClients(rng.fork(), checker);
  const stats: SimStats = {
    seed,
    nodes: n,
    noopOnElection,
    preVote,
    checkQuorum,
    readMode,
    ticks: 0,
    steps: 0,
    crashes: 0,
    partitions: 0,
    terms: 0,
    committed: 0,
    acknowledged: 0,
    readsConfirmed: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    crashesAfterSnapshotWrite: 0,
    transfers: 0,
    membershipChanges: 0,
    wipes: 0,
    reAdded: 0,
  };
  let now = 0;
  const nodes = new Map<NodeId, SimNode>();
  const lastCommit = new Map<NodeId, number>();
  let failed: Array<[NodeId, NodeId]> = [];
  const leaders = (): Array<[NodeId, RaftCore]> =>
    [...nodes.values()].filter((x) => x.core?.role === 'leader').map((x) => [x.id, x.core!]);
  const snapshotRng = rng.fork();
  const operatorRng = rng.fork();

  for (const id of [...ids, ...spares]) {
    const nodeRng = rng.fork();
    const config: CoreConfig = {
      id,
      peers: ids.filter((p) => p !== id),
      heartbeatTicks: HEARTBEAT,
      electionTicksMin: ELECTION_MIN,
      electionTicksMax: ELECTION_MAX,
      random: () => nodeRng.next(),
      maxEntriesPerMessage,
      noopOnElection,
      preVote,
      checkQuorum,
      readMode,
    };
    if (maxBytesPerMessage !== undefined) config.maxBytesPerMessage = maxBytesPerMessage;
    if (maxInflightBytes !== undefined) config.maxInflightBytes = maxInflightBytes;
    const node = new SimNode(
      id,
      config,
      {
        readyTaken: (x, ready) => checker.readyTaken(x.id, x.core!, ready, x.store),
        send: (x, m) => {
          trace?.(`${now} send ${JSON.stringify({ ...m, data: undefined })}`);
          checker.durableBeforeSend(x.store, m);
          checker.voteSent(m);
          // A lost request is an HTTP call that fails: the shell tells the core (sometimes).
          const lost = !net.send(m, now);
          if (lost && (m.type === 'append_entries' || m.type === 'install_snapshot') && rng.chance(0.5)) {
            failed.push([m.from, m.to]);
          }
        },
        applied: (x, a) => {
          checker.applied(x.id, a.entry, a.result);
          checker.requestApplied(a.entry, a);
          clients.applied(x, a, x.core!.currentTerm, leaders);
        },
        reads: (x, states) => clients.confirmed(x, states),
        snapshotStored: (x, meta, image, received) => {
          checker.snapshotHolds(x.id, meta, image);
          if (received) stats.snapshotsInstalled++;
          else stats.snapshotsTaken++;
          trace?.(`${now} snapshot ${received ? 'installed' : 'taken'} at ${x.id} up to ${meta.index}`);
        },
        crashAfterSnapshotWrite: (x) => {
          if (now > chaosTicks || !snapshotRng.chance(crashAfterSnapshotWriteRate)) return false;
          trace?.(`${now} crash ${x.id} after writing a snapshot`);
          clients.crashed(x.id);
          stats.crashes++;
          stats.crashesAfterSnapshotWrite++;
          return true;
        },
      },
      ids.includes(id),
    );
    nodes.set(id, node);
  }

  /** After any input to a node: check what changed, then let its shell loop run. */
  const observe = (node: SimNode) => {
    const core = node.core;
    if (!core) return;
    if (core.role === 'leader') checker.leaderSeen(node.id, core);
    const seen = lastCommit.get(node.id) ?? 0;
    checker.commitMoved(node.id, seen, core.commitIndex);
    if (core.commitIndex > seen) {
      checker.commitSeen(node.id, core, seen + 1, leaders());
      lastCommit.set(node.id, core.commitIndex);
      if (core.role === 'leader' && now <= chaosTicks && rng.chance(crashAfterCommitRate)) {
        crash(node);
        return;
      }
    }
    node.pump(now, fsyncTicks);
    // Paper §7: now and then the state machine is snapshotted and the log prefix dropped.
    const c = node.core;
    if (
      c &&
      compactEvery > 0 &&
      c.lastApplied - c.firstIndex() + 1 >= compactEvery &&
      snapshotRng.chance(0.5)
    ) {
      node.takeSnapshot(snapshotRng.int(c.firstIndex(), c.lastApplied));
    }
  };
  function crash(node: SimNode) {
    trace?.(`${now} crash ${node.id}`);
    node.crash();
    clients.crashed(node.id);
    stats.crashes++;
  }
  const restart = (node: SimNode) => {
    node.restart();
    lastCommit.set(node.id, 0);
    trace?.(`${now} restart ${node.id} ${JSON.stringify({ ...node.store, snapshotImage: undefined })}`);
  };
  const operator = new Operator(
    operatorRng,
    operatorRates,
    nodes,
    { crash, restart },
    () => checker.committedConfiguration(),
    trace,
    spares,
  );
  const currentLeader = (): SimNode | undefined => {
    const all = leaders().sort(([, a], [, b]) => b.currentTerm - a.currentTerm);
    return all.length > 0 ? nodes.get(all[0]![0]) : undefined;
  };

  /** Clients mostly find a leader (maybe a stale one), sometimes knock on a follower. */
  const clientTarget = (): SimNode | null => {
    const all = [...nodes.values()].filter((x) => x.alive);
    const leading = all.filter((x) => x.core!.role === 'leader');
    return leading.length > 0 && rng.chance(0.8) ? rng.pick(leading) : all.length ? rng.pick(all) : null;
  };

  let livenessCommand: string | null = null;
  const total = chaosTicks + livenessTicks;
  for (now = 1; now <= total && !(livenessCommand && clients.acked.has(livenessCommand)); now++) {
    stats.ticks = now;
    if (now <= chaosTicks) {
      const live = [...nodes.values()].filter((x) => x.alive);
      if (live.length > 0 && rng.chance(crashRate)) crash(rng.pick(live));
      // Leaders are what Raft's hard cases are made of (Figure 8): kill them more often.
      const [leader] = leaders();
      if (leader && rng.chance(leaderCrashRate)) crash(nodes.get(leader[0])!);
      for (const x of nodes.values())
        if (!x.alive && operator.mayRestart(x.id) && rng.chance(0.08)) restart(x);
      if (!net.isPartitioned() && rng.chance(partitionRate)) {
        const order = rng.shuffle([...nodes.keys()]);
        const cut = rng.int(1, order.length - 1);
        net.partition(order.slice(0, cut), order.slice(cut));
        trace?.(`${now} partition ${order.slice(0, cut)} | ${order.slice(cut)}`);
        stats.partitions++;
      } else if (net.isPartitioned() && rng.chance(0.05)) {
        net.heal();
        trace?.(`${now} heal`);
      }
      operator.act(now, currentLeader);
      if (toggleRate > 0 && rng.chance(toggleRate)) {
        const target = rng.pick([...nodes.values()]).core;
        if (target && (readMode === 'lease' || rng.chance(0.5))) target.setPreVote(!target.switches.preVote);
        else if (target) target.setCheckQuorum(!target.switches.checkQuorum);
      }
      if (rng.chance(0.4)) {
        const target = clientTarget();
        if (target) {
          if (rng.chance(0.15)) clients.retry(target);
          else clients.propose(target, rng.int(1, 4));
          observe(target);
        }
      }
      if (rng.chance(readRate)) {
        const target = clientTarget();
        if (target) {
          clients.read(target);
          observe(target);
        }
      }
    } else {
      if (now === chaosTicks + 1) {
        // The faults stop: heal, restart everyone, calm network (FIFO, no loss).
        net.heal();
        net.faults = NO_FAULTS;
        for (const x of nodes.values()) if (!x.alive && operator.mayRestart(x.id)) restart(x);
        // A removed server that still campaigns with raised terms would disrupt every election
        // (§4.2.3) unless it uses PreVote or every other server is sticky: an operator shuts it down.
        const allSticky = [...nodes.values()].every((x) => !x.core || x.core.switches.checkQuorum);
        operator.shutDownRemoved(now, (x) => !x.core?.switches.preVote && !allSticky);
      }
      operator.act(now, currentLeader, true);
      // Liveness: keep offering one command to whoever leads until it is acknowledged.
      const node = currentLeader();
      if (node && !clients.isWaitingOn(node.id, livenessCommand, node.core!.currentTerm)) {
        const [e] = clients.propose(node, 1);
        if (e) livenessCommand = e.command;
        observe(node);
      }
    }

    const failedNow = failed;
    failed = [];
    for (const [from, to] of failedNow) {
      const node = nodes.get(from)!;
      node.core?.unreachable(to);
      observe(node);
    }
    for (const m of net.due(now)) {
      const node = nodes.get(m.to);
      if (!node?.core) continue;
      trace?.(`${now} deliver ${JSON.stringify({ ...m, data: undefined })}`);
      node.core.step(m);
      stats.steps++;
      observe(node);
    }
    for (const node of nodes.values()) {
      if (!node.core) continue;
      node.core.tick();
      stats.steps++;
      observe(node);
    }
    if (now % 25 === 0) checker.fullCheck(liveCores(nodes));
  }
  checker.fullCheck(liveCores(nodes));
  if (!(livenessCommand && clients.acked.has(livenessCommand))) {
    throw new LivenessFailure(
      `no leader committed a new command within ${livenessTicks} ticks after the faults stopped`,
    );
  }
  stats.acknowledged = clients.acknowledged;
  stats.readsConfirmed = clients.readsConfirmed;
  stats.terms = Math.max(...[...nodes.values()].map((x) => x.core?.currentTerm ?? 0));
  stats.committed = Math.max(...[...nodes.values()].map((x) => x.core?.commitIndex ?? 0));
  const op = operator.stats;
  stats.transfers = op.transfers;
  stats.membershipChanges = op.membershipChanges;
  stats.wipes = op.wipes;
  stats.reAdded = op.reAdded;
  return stats;
}

function liveCores(nodes: Map<NodeId, SimNode>): Array<[NodeId, RaftCore]> {
  return [...nodes.values()].filter((x) => x.core).map((x) => [x.id, x.core!]);
}
