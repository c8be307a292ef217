// Benchmark: how long the lab's `reset` action takes, from the moment it is asked for until the
// fresh cluster has a leader a majority follows (the `reset` action itself waits for that).
// The local backend on this machine, as `npm start` and `npm run lessons:check` use it.
//
//   npx tsx bench/reset-to-leader.ts [--runs 20] [--base-port 7401]
//
// Prints one line per reset and the median, min and max in ms, with the load average before
// and after (the machine may be shared). Numbers, not assertions.

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalBackend } from '../server/lab/cluster/local-backend.ts';
import { ClusterSession } from '../server/lab/session/cluster-session.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'base-port': { type: 'string', default: '7401' },
  },
});

const runs = Number(args.runs);
const work = mkdtempSync(path.join(tmpdir(), 'raft-reset-bench-'));
const backend = new LocalBackend({ dataRoot: path.join(work, 'data'), basePort: Number(args['base-port']) });
const session = new ClusterSession(backend, { pollIntervalMs: 0, followEvents: false });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

try {
  console.log(`load average before: ${load()}`);
  // On a loaded machine five node processes may take longer than the backend's start timeout.
  for (let attempt = 1; ; attempt++) {
    try {
      await session.start();
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`start attempt ${attempt} failed (${(e as Error).message.split('\n')[0]}); again`);
      await backend.stop();
    }
  }
  const first = await session.action('wait leader 20s', 'cell');
  if (!first.ok) throw new Error(`no first leader: ${first.actions[0]?.detail}`);
  const times: number[] = [];
  const failures: string[] = [];
  for (let i = 1; i <= runs; i++) {
    // Something in the log first, so each reset really has state to wipe.
    await fetch(`${backend.nodes()[0]!.url}/client_command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: `set bench=${i}` }),
      redirect: 'follow',
    }).catch(() => undefined);
    const t = performance.now();
    const r = await session.action('reset', 'cell');
    const ms = performance.now() - t;
    if (!r.ok) {
      // Counted, not hidden: a reset that fails (e.g. a node process slow to start) is a result too.
      failures.push(`reset ${i} failed after ${ms.toFixed(0)} ms: ${r.actions[0]?.detail}`);
      console.log(failures.at(-1));
      await session.action('reset', 'cell');
      continue;
    }
    times.push(ms);
    console.log(`reset ${String(i).padStart(2)}: ${ms.toFixed(0)} ms  (${r.actions[0]?.detail})`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  console.log(
    JSON.stringify({
      bench: 'reset-to-leader',
      runs,
      failed: failures.length,
      median_ms: Math.round(median),
      min_ms: Math.round(sorted[0]!),
      max_ms: Math.round(sorted.at(-1)!),
    }),
  );
  console.log(`load average after: ${load()}`);
} finally {
  await session.stop();
  rmSync(work, { recursive: true, force: true });
}
