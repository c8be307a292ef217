// The short fault test inside `npm test` (about a minute): five real node processes, clients,
// the nemesis, then the checks of tests/chaos/checks.ts. A failure prints the anomaly, the
// folder with the history and logs, and the seed to replay with `npm run test:chaos`.
// CHAOS_SEED / CHAOS_DURATION_S override the defaults here too.

import { expect, it } from 'vitest';
import { runChaos } from './run-chaos.ts';

const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const durationMs = Number(process.env.CHAOS_DURATION_S ?? 40) * 1000;

it(
  'five real nodes under kills, freezes, partitions, slow timers, crashed large writes and torn WAL tails stay linearizable',
  async () => {
    const report = await runChaos({
      seed,
      durationMs,
      clients: 4,
      basePort: 15201,
      outDir: 'chaos-results',
      checkerBudgetMs: 60_000,
    });
    console.log(report.summary);
    expect(report.problems, report.summary).toEqual([]);
    expect(report.anomalies, report.summary).toEqual([]);
    expect(report.verdict, report.summary).toBe('valid');
    // The run did something: operations of every outcome were checked, and faults were injected.
    expect(report.ops.ok).toBeGreaterThan(50);
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
  },
  durationMs + 180_000,
);
