// Deterministic simulation: thousands of seeded runs of 3- and 5-node clusters of the real
// core under drops, delays, duplicates, reordering, crashes with loss of unpersisted
// state, and partitions; a quarter of them without the new leader's no-op (§8). The
// dissertation's additions are switched on and off per run: PreVote and CheckQuorum
// (§9.6, §6.2, §4.2.3), reads (§6.4, with leases in some runs), snapshots taken and
// installed (paper §7, with crashes between writing one and cutting the log), leadership
// transfers (§3.10) and membership changes with lost disks (§4.1–§4.2). Safety is checked
// after every step (see invariants.ts), liveness once the faults stop.
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

const COUNTED = [
  'ticks',
  'steps',
  'crashes',
  'partitions',
  'terms',
  'acknowledged',
  'readsConfirmed',
  'snapshotsTaken',
  'snapshotsInstalled',
  'crashesAfterSnapshotWrite',
  'transfers',
  'membershipChanges',
  'wipes',
  'reAdded',
] as const;

test(single === undefined
  ? `${seedCount} seeded runs keep every Raft safety property and recover once faults stop`
  : `seed ${single} keeps every Raft safety property and recovers once faults stop`, {
  timeout: 30 * 60_000,
}, () => {
  const seeds = single === undefined ? Array.from({ length: seedCount }, (_, i) => firstSeed + i) : [single];
  const failures: string[] = [];
  const totals: Record<
    (typeof COUNTED)[number] | 'threeNode' | 'noopOff' | 'preVote' | 'checkQuorum' | 'lease',
    number
  > = {
    ...(Object.fromEntries(COUNTED.map((k) => [k, 0])) as Record<(typeof COUNTED)[number], number>),
    threeNode: 0,
    noopOff: 0,
    preVote: 0,
    checkQuorum: 0,
    lease: 0,
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
    for (const k of COUNTED) totals[k] += stats[k];
    if (stats.nodes === 3) totals.threeNode++;
    if (!stats.noopOnElection) totals.noopOff++;
    if (stats.preVote) totals.preVote++;
    if (stats.checkQuorum) totals.checkQuorum++;
    if (stats.readMode === 'lease') totals.lease++;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`simulation: ${seeds.length} seeds in ${seconds}s`, totals);
  if (failures.length > 0) console.error(failures.join('\n'));
  expect(failures).toEqual([]);
  if (single === undefined) {
    // The runs must actually exercise Raft: many elections, crashes, partitions and commands.
    const some = (k: keyof typeof totals) => {
      expect(totals[k], k).toBeGreaterThan(0);
      expect(totals[k], k).toBeLessThan(seeds.length);
    };
    some('threeNode');
    // Some runs without §8's no-op: the commit rule alone (§5.4.2) must keep them safe.
    some('noopOff');
    // ...and each of the dissertation's switches both on and off.
    some('preVote');
    some('checkQuorum');
    some('lease');
    expect(totals.terms).toBeGreaterThan(seeds.length * 2);
    expect(totals.crashes).toBeGreaterThan(seeds.length);
    expect(totals.partitions).toBeGreaterThan(seeds.length / 10);
    expect(totals.acknowledged).toBeGreaterThan(seeds.length * 10);
    expect(totals.readsConfirmed).toBeGreaterThan(seeds.length * 5);
    expect(totals.snapshotsTaken).toBeGreaterThan(seeds.length);
    expect(totals.snapshotsInstalled).toBeGreaterThan(seeds.length / 10);
    expect(totals.crashesAfterSnapshotWrite).toBeGreaterThan(seeds.length / 10);
    expect(totals.transfers).toBeGreaterThan(seeds.length / 10);
    expect(totals.membershipChanges).toBeGreaterThan(seeds.length / 10);
    expect(totals.wipes).toBeGreaterThan(seeds.length / 50);
    expect(totals.reAdded).toBeGreaterThan(seeds.length / 100);
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
