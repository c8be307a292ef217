// The nemesis: injects one fault at a time on a seeded schedule — kills, freezes, partitions,
// slowed timers, a crash in the middle of a large write, a torn write-ahead-log tail planted
// while a node is down — and heals each one before the next. The same seed gives the same
// sequence of choices (which fault, which node, how long); which node leads at that moment
// depends on timing, so a replay is close, not identical.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { LocalCluster } from '../../server/cluster/local-cluster.ts';
import { fetchStatus, type NodeStatus } from '../../server/cluster/node-status.ts';
import { encodeRecord } from '../../server/node/storage/record-codec.ts';
import { WAL_FILE } from '../../server/node/storage/wal.ts';
import { encodeUpdate } from '../../server/node/storage/wal-update.ts';
import type { Prng } from '../../server/raft/simulation/prng.ts';
import { sendCommand } from './client.ts';
import type { FaultEvent, FaultKind, HistoryOp } from './history.ts';

export const FAULT_KINDS: FaultKind[] = [
  'kill-leader',
  'kill-random',
  'pause',
  'partition-halves',
  'partition-isolate-leader',
  'partition-bridge',
  'slow-timers',
  'crash-during-large-batch',
  'torn-wal-tail',
];

export interface NemesisOptions {
  cluster: LocalCluster;
  adminToken: string;
  rng: Prng;
  now: () => number;
  history: HistoryOp[];
  keys: string[];
  requestTimeoutMs: number;
  /** Told each fault as it starts and ends (for a progress line). */
  log?: (line: string) => void;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long a restarted node may take to answer /status. Generous: on a loaded 2-core machine
 * loading a node (tsx) took over 20 s; a node that refuses to start exits at once and fails fast.
 */
const RESTART_TIMEOUT_MS = 90_000;

export class Nemesis {
  readonly schedule: FaultEvent[] = [];
  /** Nodes that would not come back (e.g. refused to start on their write-ahead log): anomalies. */
  readonly problems: string[] = [];
  private readonly ids: string[];
  private bigWrites = 0;

  constructor(private readonly o: NemesisOptions) {
    this.ids = o.cluster.nodes().map((n) => n.id);
  }

  /** Injects faults until `stop()` says so, each held for a while and healed. */
  async run(stop: () => boolean): Promise<void> {
    while (!stop()) {
      await pause(this.o.rng.int(500, 2000));
      if (stop()) break;
      const kind = this.o.rng.pick(FAULT_KINDS);
      const event: FaultEvent = { kind, at: this.o.now(), healedAt: null, detail: '' };
      this.schedule.push(event);
      try {
        await this.inject(event, this.o.rng.int(800, 3500));
      } catch (e) {
        this.problems.push(`after ${kind} at ${(event.at / 1000).toFixed(1)} s: ${(e as Error).message}`);
        event.detail += ' (failed: see problems)';
      }
      event.healedAt = this.o.now();
      this.o.log?.(`${(event.at / 1000).toFixed(1)} s ${kind} ${event.detail}`);
    }
  }

  /** Undoes every fault: resume, heal, normal speed, every node running. */
  async healAll(): Promise<void> {
    const c = this.o.cluster;
    for (const n of c.nodes()) if (n.paused) c.resume(n.id);
    for (const n of c.nodes()) {
      if (n.up) continue;
      await c
        .restart(n.id, RESTART_TIMEOUT_MS)
        .catch((e: Error) => this.problems.push(`node ${n.id} did not restart: ${e.message}`));
    }
    await Promise.all(
      this.ids.flatMap((id) => [this.admin(id, 'heal', {}), this.admin(id, 'speed', { factor: 1 })]),
    );
  }

  private async inject(e: FaultEvent, holdMs: number): Promise<void> {
    const c = this.o.cluster;
    const rng = this.o.rng;
    const leader = await this.leader();
    const someNode = rng.pick(this.ids);
    switch (e.kind) {
      case 'kill-leader':
      case 'kill-random': {
        const victim = e.kind === 'kill-leader' ? (leader ?? someNode) : someNode;
        e.detail = `node ${victim}${victim === leader ? ' (leader)' : ''}, down ${holdMs} ms`;
        await c.kill(victim);
        await pause(holdMs);
        await c.restart(victim, RESTART_TIMEOUT_MS);
        return;
      }
      case 'pause': {
        const victim = rng.chance(0.5) && leader ? leader : someNode;
        e.detail = `SIGSTOP node ${victim}${victim === leader ? ' (leader)' : ''} for ${holdMs} ms`;
        c.pause(victim);
        await pause(holdMs);
        c.resume(victim);
        return;
      }
      case 'partition-halves': {
        const order = rng.shuffle([...this.ids]);
        const cut = rng.int(1, this.ids.length - 1);
        await this.partition([order.slice(0, cut), order.slice(cut)], e);
        break;
      }
      case 'partition-isolate-leader': {
        const alone = leader ?? someNode;
        await this.partition([[alone], this.ids.filter((id) => id !== alone)], e);
        break;
      }
      case 'partition-bridge': {
        // One node sees both sides; the two sides do not see each other.
        const [bridge, ...rest] = rng.shuffle([...this.ids]);
        const cut = rng.int(1, rest.length - 1);
        const left = rest.slice(0, cut);
        const right = rest.slice(cut);
        e.detail = `bridge ${bridge} between ${left.join(',')} | ${right.join(',')}`;
        await Promise.all([
          ...left.map((id) => this.admin(id, 'partition', { peers: right })),
          ...right.map((id) => this.admin(id, 'partition', { peers: left })),
        ]);
        break;
      }
      case 'slow-timers': {
        const slow = rng.shuffle([...this.ids]).slice(0, rng.int(1, 2));
        if (leader && rng.chance(0.5) && !slow.includes(leader)) slow.push(leader);
        const factor = rng.pick([0.2, 0.35, 0.5]);
        e.detail = `nodes ${slow.join(',')} at ${factor}x speed`;
        await Promise.all(slow.map((id) => this.admin(id, 'speed', { factor })));
        await pause(holdMs);
        await Promise.all(slow.map((id) => this.admin(id, 'speed', { factor: 1 })));
        return;
      }
      case 'crash-during-large-batch':
        await this.crashDuringLargeBatch(leader ?? someNode, e);
        return;
      case 'torn-wal-tail':
        await this.plantTornTail(someNode, e);
        return;
    }
    await pause(holdMs);
    await Promise.all(this.ids.map((id) => this.admin(id, 'heal', {})));
  }

  private async partition(groups: string[][], e: FaultEvent): Promise<void> {
    e.detail = groups.map((g) => g.join(',')).join(' | ');
    await Promise.all(
      groups.flatMap((g) => {
        const others = this.ids.filter((id) => !g.includes(id));
        return g.map((id) => this.admin(id, 'partition', { peers: others }));
      }),
    );
  }

  /**
   * A batch of 16 writes of ~12 KB each to the leader (one Ready, one large WAL record), and
   * a SIGKILL a few milliseconds later, while that record is being written. The writes are
   * in the history (no session: their outcome is whatever the cluster answered, or unknown).
   */
  private async crashDuringLargeBatch(victim: string, e: FaultEvent): Promise<void> {
    const url = this.o.cluster.url(victim);
    const delay = this.o.rng.int(0, 15);
    e.detail = `16 × 12 KB to node ${victim}, SIGKILL after ${delay} ms`;
    const writes = Array.from({ length: 16 }, () => {
      const key = this.o.rng.pick(this.o.keys);
      const value = `nemesis-${++this.bigWrites}-${'x'.repeat(12_000)}`;
      const op: HistoryOp = {
        id: this.o.history.length,
        client: 'nemesis',
        kind: 'set',
        key,
        value,
        invokedAt: this.o.now(),
        completedAt: null,
        outcome: 'unknown',
        attempts: [],
      };
      this.o.history.push(op);
      return sendCommand(url, { command: `set ${key}=${value}` }, this.o.requestTimeoutMs, this.o.now()).then(
        (a) => {
          op.attempts.push(a.attempt);
          op.outcome = a.attempt.verdict;
          if (a.attempt.verdict !== 'unknown') op.completedAt = this.o.now();
          if (a.attempt.verdict === 'ok') {
            op.result = (a.body!.result as string | null) ?? null;
            op.index = a.body!.index as number;
          }
        },
      );
    });
    await pause(delay);
    await this.o.cluster.kill(victim);
    await Promise.all(writes);
    await pause(this.o.rng.int(200, 1000));
    await this.o.cluster.restart(victim, RESTART_TIMEOUT_MS);
  }

  /**
   * Kills a node and, before restarting it, leaves what a crash mid-write can leave after its
   * last record: zeros, the first part of a record, or a record whose first page is still
   * zeros while its later pages landed (issue 10's case). The node must drop it and start.
   */
  private async plantTornTail(victim: string, e: FaultEvent): Promise<void> {
    const c = this.o.cluster;
    await c.kill(victim);
    const file = path.join(c.dataDir(victim), WAL_FILE);
    const entries = Array.from({ length: 3 }, (_, i) => ({
      index: 1_000_000 + i,
      term: 1,
      type: 'command' as const,
      command: `set torn=${'t'.repeat(4000)}`,
    }));
    const record = encodeRecord(encodeUpdate({ entries }));
    const variant = this.o.rng.pick(['zeros', 'cut-record', 'first-page-zeroed'] as const);
    let tail: Uint8Array;
    if (variant === 'zeros') tail = new Uint8Array(this.o.rng.int(1, 3) * 4096);
    else if (variant === 'cut-record') tail = record.subarray(0, this.o.rng.int(1, record.length - 1));
    else {
      tail = Uint8Array.from(record);
      tail.fill(0, 0, 4096);
    }
    await fs.appendFile(file, tail);
    e.detail = `node ${victim}: ${variant}, ${tail.length} bytes after its last record`;
    await pause(this.o.rng.int(100, 600));
    await c.restart(victim, RESTART_TIMEOUT_MS);
  }

  /** The node that says it leads in the highest term, if any answers now. */
  private async leader(): Promise<string | null> {
    const statuses = await Promise.all(
      this.o.cluster.nodes().map(async (n) => (n.up && !n.paused ? fetchStatus(n.url, 300) : null)),
    );
    let best: NodeStatus | null = null;
    for (const r of statuses) {
      if (r && 'status' in r && r.status.state === 'leader' && (!best || r.status.term > best.term))
        best = r.status;
    }
    return best?.node_id ?? null;
  }

  private async admin(id: string, action: string, body: unknown): Promise<void> {
    const n = this.o.cluster.nodes().find((x) => x.id === id)!;
    if (!n.up || n.paused) return;
    await fetch(`${n.url}/admin/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.o.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(2000),
    }).catch(() => {});
  }
}
