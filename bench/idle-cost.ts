// What an idle cluster spends its CPU on: the same 5-node cluster, nobody connected, measured
// with its timers changed one at a time — the shell's tick (TICK_MS, default 10 ms) and the
// leader's heartbeat (HEARTBEAT_MS) — so the difference between rows is the cost of that timer.
// Per node: CPU (% of a core, from /proc) and main-thread wake-ups per second (voluntary
// context switches).
//
//   npm run bench:idle [-- --seconds 20 --base-port 5301]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine, measureUsage } from './proc-usage.ts';
import { RaftSystem } from './raft-system.ts';
import type { Timers } from './system.ts';

const { values: a } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    'base-port': { type: 'string', default: '5301' },
  },
});

/**
 * One cluster to measure: the shell's tick, the leader's heartbeat and the election timeout's
 * lower bound (ms; a node draws its timeout from [electionMs, 2·electionMs)).
 */
function variant(tickMs: number, heartbeatMs: number, electionMs: number) {
  const defaults = tickMs === 10 && heartbeatMs === 50 && electionMs === 300;
  return {
    name: `${defaults ? 'defaults: ' : ''}tick ${tickMs}, heartbeat ${heartbeatMs}, election ${electionMs}–${2 * electionMs}`,
    timers: { heartbeatMs, electionMs } satisfies Timers,
    env: { TICK_MS: String(tickMs) },
  };
}

// One timer changed at a time from the defaults, so that the difference between rows is its cost.
const VARIANTS = [
  variant(10, 50, 300),
  variant(50, 50, 300),
  variant(10, 500, 3000),
  variant(500, 500, 3000),
];

const work = mkdtempSync(path.join(tmpdir(), 'raft-idle-'));
let current: RaftSystem | null = null;
process.on('SIGINT', () => void current?.stop().then(() => process.exit(130)));
console.log(`${machineLine()}\n`);
console.log('| cluster | CPU, all 5 nodes (% of a core) | per node | wake-ups/s per node (main thread) |');
console.log('|---|---:|---|---|');
try {
  for (const v of VARIANTS) {
    current = new RaftSystem({ workDir: work, basePort: Number(a['base-port']), env: v.env });
    await current.start(v.timers);
    await new Promise((r) => setTimeout(r, 3000));
    const m = measureUsage(current.pids());
    await new Promise((r) => setTimeout(r, Number(a.seconds) * 1000));
    const u = m.end();
    console.log(
      `| ${v.name} | ${u.cpu_total_pct} | ${u.cpu_pct.join(', ')} | ${u.wakeups_per_s.join(', ')} |`,
    );
    await current.stop();
  }
} finally {
  await current?.stop();
  rmSync(work, { recursive: true, force: true });
}
