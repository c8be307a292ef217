// Looks at every node ~5 times a second and hands each snapshot on. One look at a time: a slow
// (paused) node delays nothing else because each look has its own short timeout.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { ClusterBackend } from '../cluster/backend.ts';
import { takeSnapshot } from '../cluster/snapshot.ts';

export const POLL_INTERVAL_MS = 200;

export class StatusPoller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private latest: ClusterSnapshot | null = null;

  constructor(
    private readonly backend: ClusterBackend,
    private readonly onSnapshot: (snapshot: ClusterSnapshot) => void,
    private readonly intervalMs = POLL_INTERVAL_MS,
  ) {}

  get last(): ClusterSnapshot | null {
    return this.latest;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Takes a snapshot now (also used by runs that need a fresh one) and publishes it. */
  async poll(): Promise<ClusterSnapshot> {
    const snapshot = await takeSnapshot(this.backend);
    this.latest = snapshot;
    if (this.running) this.onSnapshot(snapshot);
    return snapshot;
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      await this.poll();
    } catch (e) {
      console.error('status poll failed:', e);
    }
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.intervalMs - (Date.now() - started)));
  }
}
