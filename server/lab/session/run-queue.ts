// Runs jobs one at a time in arrival order: two cells must never act on the cluster at once.
// Stop (interrupt) ends the running job through its AbortSignal and cancels every queued job,
// so nothing the learner queued before pressing Stop runs after it (a known Jupyter complaint).

import type { StopReason } from '../run/run-context.ts';

interface Queued {
  cancel: () => void;
}

export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private running: AbortController | null = null;
  private readonly queued = new Set<Queued>();

  /** How many jobs are queued or running. */
  get length(): number {
    return this.waiting;
  }

  /**
   * Queues `job`; it gets a signal that aborts on interrupt(). A job still queued at an
   * interrupt never starts: it resolves with `cancelled()` instead (by default it rejects).
   */
  enqueue<T>(
    job: (signal: AbortSignal) => Promise<T>,
    cancelled: () => T = () => {
      throw new Error('stopped before it started (interrupt)');
    },
  ): Promise<T> {
    this.waiting++;
    let isCancelled = false;
    const entry: Queued = {
      cancel: () => {
        isCancelled = true;
      },
    };
    this.queued.add(entry);
    const run = this.tail
      .then(async () => {
        this.queued.delete(entry);
        if (isCancelled) return cancelled();
        const controller = new AbortController();
        this.running = controller;
        try {
          return await job(controller.signal);
        } finally {
          if (this.running === controller) this.running = null;
        }
      })
      .finally(() => {
        this.waiting--;
      });
    // A failed job must not stop the ones after it.
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the running job (its signal aborts with `reason`: the learner's Stop, or the lab shutting
   * down) and cancels every queued one; returns how many were affected.
   */
  interrupt(reason: StopReason = 'stop'): number {
    let n = this.queued.size;
    for (const q of this.queued) q.cancel();
    this.queued.clear();
    if (this.running && !this.running.signal.aborted) {
      this.running.abort(reason);
      n++;
    }
    return n;
  }
}
