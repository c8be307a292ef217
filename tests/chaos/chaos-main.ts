// `npm run test:chaos`: one fault-test run on real node processes (tests/chaos/run-chaos.ts).
// Duration and seed from flags or the environment; exits 1 when a check fails.
//
//   npm run test:chaos -- --duration 600 --seed 42 --clients 5 --out chaos-results --base-port 15301
//   CHAOS_DURATION_S=600 CHAOS_SEED=42 npm run test:chaos

import { parseArgs } from 'node:util';
import { runChaos } from './run-chaos.ts';

const USAGE = `Usage: npm run test:chaos -- [--duration SECONDS] [--seed N] [--clients N] [--out DIR] [--base-port PORT]
  --duration   how long clients and faults run, in seconds (env CHAOS_DURATION_S; default 60)
  --seed       seed of the clients' and the nemesis's choices (env CHAOS_SEED; default: random, printed)
  --clients    concurrent clients (env CHAOS_CLIENTS; default 5)
  --out        where a failing run's folder goes (env CHAOS_OUT; default chaos-results)
  --base-port  the five nodes listen on PORT…PORT+4 (env CHAOS_BASE_PORT; default 15301)`;

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`test:chaos: ${name} must be an integer of at least ${min}, got '${raw}'\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

let flags: Record<string, string | boolean | undefined>;
try {
  flags = parseArgs({
    options: {
      duration: { type: 'string' },
      seed: { type: 'string' },
      clients: { type: 'string' },
      out: { type: 'string' },
      'base-port': { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values;
} catch (e) {
  console.error(`test:chaos: ${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const env = process.env;
const durationS = int('--duration', (flags.duration as string) ?? env.CHAOS_DURATION_S, 60, 1);
const seed = int('--seed', (flags.seed as string) ?? env.CHAOS_SEED, Math.floor(Math.random() * 2 ** 31), 0);
const report = await runChaos({
  seed,
  durationMs: durationS * 1000,
  clients: int('--clients', (flags.clients as string) ?? env.CHAOS_CLIENTS, 5, 1),
  basePort: int('--base-port', (flags['base-port'] as string) ?? env.CHAOS_BASE_PORT, 15301, 1),
  outDir: (flags.out as string) ?? env.CHAOS_OUT ?? 'chaos-results',
  checkerBudgetMs: Math.max(60_000, durationS * 200),
  log: (line) => console.log(line),
});
console.log(report.summary);
process.exit(report.verdict === 'valid' && report.problems.length === 0 ? 0 : 1);
