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

const VARIANTS: { name: string; timers: Timers; env: Record<string, string> }[] = [
  {
    name: 'defaults: tick 10, heartbeat 50, election 300–600',
    timers: { heartbeatMs: 50, electionMs: 300 },
    env: {},
  },
  {
    name: 'tick 50 (= heartbeat), heartbeat 50',
    timers: { heartbeatMs: 50, electionMs: 300 },
    env: { TICK_MS: '50' },
  },
  {
    name: 'tick 10, heartbeat 500, election 3000–6000',
    timers: { heartbeatMs: 500, electionMs: 3000 },
    env: {},
  },
  {
    name: 'tick 500, heartbeat 500, election 3000–6000',
    timers: { heartbeatMs: 500, electionMs: 3000 },
    env: { TICK_MS: '500' },
  },
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
