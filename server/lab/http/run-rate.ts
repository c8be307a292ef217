// A rate limit on running cells and cluster actions, per client address: a token bucket. A
// learner's Run all on a long lesson fits in the burst; a script hammering /api/run (every run
// reaches the cluster, one at a time, for everyone) is told to slow down with 429.

export interface RunRateLimits {
  /** Runs a client may start at once, from a full bucket. */
  burst: number;
  /** Runs per second the bucket refills with. */
  perSecond: number;
}

/** Room for a 60-cell Run all, then one run every half second. */
export const DEFAULT_RUN_RATE: RunRateLimits = { burst: 60, perSecond: 2 };

/** How many clients are remembered at most; the longest idle (nearly full buckets) are forgotten first. */
const MAX_CLIENTS = 10_000;

export class RunRate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: RunRateLimits,
    /** The clock, in ms (injected for tests). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one run for `client`: 0 when it may run, else the ms to wait before the next one may. */
  take(client: string): number {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.limits.burst, at: t };
    b.tokens = Math.min(this.limits.burst, b.tokens + ((t - b.at) / 1000) * this.limits.perSecond);
    b.at = t;
    this.buckets.delete(client);
    this.buckets.set(client, b);
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.limits.perSecond) * 1000);
  }
}
