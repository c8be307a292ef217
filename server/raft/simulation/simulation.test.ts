// Deterministic simulation: thousands of seeded runs of 3- and 5-node clusters of the real
// core under drops, delays, duplicates, reordering, crashes with loss of unpersisted
// state, and partitions; a quarter of them without the new leader's no-op (§8). Safety is
// checked after every step (see invariants.ts), liveness once the faults stop.
//
//   SIM_SEEDS=20000 npx vitest run server/raft/simulation   run more seeds
//   SIM_SEED=1234 npx vitest run server/raft/simulation     replay one seed
//   SIM_SEED=1234 SIM_TRACE=1 npx vitest run ...            ...and print every event

import { expect, test } from 'vitest';
import { runSimulation, type SimStats } from './run.ts';

const env = globalThis.process?.env ?? {};
const single = env.SIM_SEED === undefined ? undefined : Number(env.SIM_SEED);
const seedCount = Number(env.SIM_SEEDS ?? 2000);
const firstSeed = Number(env.SIM_FIRST_SEED ?? 1);

test(single === undefined
  ? `${seedCount} seeded runs keep every Raft safety property and recover once faults stop`
  : `seed ${single} keeps every Raft safety property and recovers once faults stop`, {
  timeout: 30 * 60_000,
}, () => {
  const seeds = single === undefined ? Array.from({ length: seedCount }, (_, i) => firstSeed + i) : [single];
  const failures: string[] = [];
  const totals = {
    ticks: 0,
    steps: 0,
    crashes: 0,
    partitions: 0,
    terms: 0,
    acknowledged: 0,
    threeNode: 0,
    noopOff: 0,
  };
  const started = performance.now();
  for (const seed of seeds) {
    let stats: SimStats;
    try {
      stats = runSimulation(seed, env.SIM_TRACE ? { trace: (line) => console.log(line) } : {});
    } catch (err) {
      failures.push(
        `seed ${seed}: ${(err as Error).message}  (replay: SIM_SEED=${seed} npx vitest run server/raft/simulation)`,
      );
      if (failures.length >= 5) break;
      continue;
    }
    totals.ticks += stats.ticks;
    totals.steps += stats.steps;
    totals.crashes += stats.crashes;
    totals.partitions += stats.partitions;
    totals.terms += stats.terms;
    totals.acknowledged += stats.acknowledged;
    if (stats.nodes === 3) totals.threeNode++;
    if (!stats.noopOnElection) totals.noopOff++;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`simulation: ${seeds.length} seeds in ${seconds}s`, totals);
  if (failures.length > 0) console.error(failures.join('\n'));
  expect(failures).toEqual([]);
  if (single === undefined) {
    // The runs must actually exercise Raft: many elections, crashes, partitions and commands.
    expect(totals.threeNode).toBeGreaterThan(0);
    expect(totals.threeNode).toBeLessThan(seeds.length);
    // Some runs without §8's no-op: the commit rule alone (§5.4.2) must keep them safe.
    expect(totals.noopOff).toBeGreaterThan(0);
    expect(totals.noopOff).toBeLessThan(seeds.length);
    expect(totals.terms).toBeGreaterThan(seeds.length * 2);
    expect(totals.crashes).toBeGreaterThan(seeds.length);
    expect(totals.partitions).toBeGreaterThan(seeds.length / 10);
    expect(totals.acknowledged).toBeGreaterThan(seeds.length * 10);
  }
});

test('a seed replays exactly: same seed, same run', () => {
  const trace = (seed: number) => {
    const lines: string[] = [];
    const stats = runSimulation(seed, { trace: (l) => lines.push(l) });
    return { stats, lines };
  };
  const a = trace(7);
  expect(trace(7)).toEqual(a);
  expect(trace(8).lines).not.toEqual(a.lines);
});
