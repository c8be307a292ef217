// Runs jobs one at a time in arrival order: two cells must never act on the cluster at once.

export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** How many jobs are queued or running. */
  get length(): number {
    return this.waiting;
  }

  enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.waiting++;
    const run = this.tail.then(job).finally(() => {
      this.waiting--;
    });
    // A failed job must not stop the ones after it.
    this.tail = run.catch(() => undefined);
    return run;
  }
}
