// Starts members' clusters on demand and stops them when idle, never more than `maxClusters`
// at once (JupyterHub's spawner and culler, for Raft clusters). When the cap is reached the
// instructor's policy decides: `queue` (wait, first come first served, for a cluster to be
// freed) or `shared` (run on one shared fallback cluster until a cluster is free).

import { ApiError } from '../http/api-error.ts';
import type { ClusterSession } from '../session/cluster-session.ts';
import type { Member } from './member.ts';

export type FullPolicy = 'queue' | 'shared';

export interface PoolOptions {
  maxClusters: number;
  policy: FullPolicy;
  /** A cluster with no request from its member for this long is stopped (ms). */
  idleMs: number;
  /** How long a request waits in the queue before it is answered 503 (ms). */
  queueWaitMs: number;
  /** The class's shared fallback cluster (policy `shared`); it does not count towards the cap. */
  shared?: ClusterSession;
}

interface Waiter {
  member: Member;
  wake: () => void;
}

export class ClusterPool {
  private readonly members = new Set<Member>();
  private readonly waiters: Waiter[] = [];
  private reaper: ReturnType<typeof setInterval> | null = null;

  constructor(readonly options: PoolOptions) {}

  add(member: Member): void {
    this.members.add(member);
  }

  /** Members whose cluster is starting or running. */
  running(): Member[] {
    return [...this.members].filter((m) => m.state === 'starting' || m.state === 'running');
  }

  /** 1-based place in the queue, or null. */
  queuePosition(member: Member): number | null {
    const i = this.waiters.findIndex((w) => w.member === member);
    return i < 0 ? null : i + 1;
  }

  /**
   * The session `member`'s runs go to: their own cluster (started if needed) or, when the cap
   * is reached and the policy is `shared`, the shared one. With `queue` it waits for a free
   * cluster up to queueWaitMs, then throws a 503 ApiError saying where in the queue they are.
   */
  async sessionFor(member: Member): Promise<ClusterSession> {
    member.progress.touch();
    if (member.state === 'running') return member.session;
    if (member.state !== 'starting' && !this.hasRoom()) {
      if (this.options.policy === 'shared' && this.options.shared) return this.options.shared;
      await this.waitForRoom(member);
    }
    await this.start(member);
    return member.session;
  }

  /** Starts the member's cluster now if there is room; never waits (opening the page does this). */
  warm(member: Member): void {
    member.progress.touch();
    if (member.state === 'stopped' && this.hasRoom()) void this.start(member).catch(() => {});
  }

  /** Stops clusters idle for longer than idleMs; checks every quarter of it (at most every 30 s). */
  startReaper(): void {
    const every = Math.max(250, Math.min(30_000, this.options.idleMs / 4));
    this.reaper = setInterval(() => void this.reapIdle(), every);
    this.reaper.unref();
  }

  async reapIdle(now = Date.now()): Promise<Member[]> {
    const idle = this.running().filter(
      (m) => m.state === 'running' && now - m.progress.lastActivity >= this.options.idleMs,
    );
    await Promise.all(idle.map((m) => this.stopCluster(m, 'idle')));
    return idle;
  }

  /** Stops one member's cluster (the member's edits stay, and its data unless the backend is freshAfterStop) and lets the next in. */
  async stopCluster(member: Member, why: 'idle' | 'shutdown'): Promise<void> {
    if (member.state === 'starting') await member.starting?.catch(() => {});
    if (member.state !== 'running') return;
    member.state = 'stopping';
    try {
      await member.session.stop();
    } finally {
      member.state = 'stopped';
      member.progress.health = null;
      if (why === 'idle') {
        const minutes = Math.round(this.options.idleMs / 60_000);
        const kept = member.session.backend.freshAfterStop
          ? 'your edits are kept; the cluster starts as a new one'
          : 'your edits and its data are kept';
        member.session.hub.publish({
          type: 'action',
          text: 'stop (idle)',
          ok: true,
          detail: `your cluster was stopped after ${minutes > 0 ? `${minutes} min` : 'a while'} without activity to make room for others; run any cell to start it again (${kept})`,
          source: 'panel',
        });
      }
      this.wakeNext();
    }
  }

  async stopAll(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = null;
    for (const w of this.waiters.splice(0)) w.wake();
    await Promise.all([...this.members].map((m) => this.stopCluster(m, 'shutdown').catch(() => {})));
  }

  private hasRoom(): boolean {
    return this.running().length < this.options.maxClusters;
  }

  private start(member: Member): Promise<void> {
    if (member.state === 'running') return Promise.resolve();
    if (!member.starting) {
      member.state = 'starting';
      member.starting = member.session
        .start()
        .then(() => {
          member.state = 'running';
        })
        .catch(async (e) => {
          // A half-started cluster must not keep ports or processes.
          await member.session.stop().catch(() => {});
          member.state = 'stopped';
          this.wakeNext();
          throw new ApiError(
            503,
            'cluster_failed',
            `your cluster could not start: ${(e as Error).message}. Try again in a moment; if it keeps failing, tell the instructor (the lab's log has details)`,
          );
        })
        .finally(() => {
          member.starting = null;
        });
    }
    return member.starting;
  }

  private waitForRoom(member: Member): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        member,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const place = this.queuePosition(member) ?? 1;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new ApiError(
            503,
            'classroom_full',
            `all ${this.options.maxClusters} clusters of this class are in use; you are number ${place} in the queue. Run the cell again in a minute: a cluster is freed when someone is idle for ${Math.round(this.options.idleMs / 60_000)} min (the instructor can raise --max-clusters)`,
            { queuePosition: place },
          ),
        );
      }, this.options.queueWaitMs);
      this.waiters.push(waiter);
    });
  }

  private wakeNext(): void {
    if (this.hasRoom()) this.waiters.shift()?.wake();
  }
}
