// Where a node's CPU goes: a fresh 5-node cluster whose nodes run with `node --cpu-prof`,
// then three windows on the same cluster — idle, `set` at concurrency 1, `set` at 16 (the
// shared load.mjs) — each summarised for the leader and for one follower: self time by
// category, the top functions, this project's functions by inclusive time, and CPU per write.
//
//   npm run bench:profile [-- --seconds 10 --idle 10 --base-port 5301 --out DIR]
//
// The raw .cpuprofile files are kept in the output folder (open them in Chrome DevTools,
// Performance → Load profile). The profiler samples every ~1 ms, which costs a little CPU itself.

import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CpuProfile, type ProfileSummary, summarizeProfile } from './cpu-profile-summary.ts';
import { killLoadGenerators, runLoad } from './load-runner.ts';
import { machineLine } from './proc-usage.ts';
import { RaftSystem } from './raft-system.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: a } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    idle: { type: 'string', default: '10' },
    'base-port': { type: 'string', default: '5301' },
    shared: { type: 'string', default: path.resolve(ROOT, '../shared/bench') },
    out: { type: 'string' },
  },
});
const SECONDS = Number(a.seconds);
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

interface Window {
  name: string;
  fromUs: number;
  toUs: number;
  writes: number;
}

const work = mkdtempSync(path.join(tmpdir(), 'raft-profile-'));
const profDir = path.join(work, 'prof');
const sys = new RaftSystem({
  workDir: work,
  basePort: Number(a['base-port']),
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  // The bundle would put every function in one file: the summary's categories need the sources.
  fromSource: true,
});
process.on('SIGINT', () => {
  killLoadGenerators();
  void sys.stop().then(() => process.exit(130));
});

function print(title: string, s: ProfileSummary, writes: number): void {
  const perWrite = writes > 0 ? ` — ${((s.busy_ms / writes) * 1000).toFixed(0)} µs of CPU per write` : '';
  console.log(`\n### ${title}: ${s.busy_pct}% of a core busy over ${s.window_ms} ms${perWrite}\n`);
  console.log('| category (self time) | ms | % of busy |\n|---|---:|---:|');
  for (const c of s.categories.slice(0, 14)) console.log(`| ${c.category} | ${c.ms} | ${c.pct_of_busy} |`);
  console.log('\n| function (self time) | ms | % of busy |\n|---|---:|---:|');
  for (const f of s.self.slice(0, 15)) console.log(`| \`${f.fn}\` | ${f.ms} | ${f.pct_of_busy} |`);
  console.log("\n| this project's function (inclusive) | ms | % of busy |\n|---|---:|---:|");
  for (const f of s.inclusive.slice(0, 15)) console.log(`| \`${f.fn}\` | ${f.ms} | ${f.pct_of_busy} |`);
}

try {
  await sys.start({ heartbeatMs: 50, electionMs: 300 });
  const leaderUrl = (await sys.leader())!;
  const urls = sys.endpoints();
  const pids = sys.pids();
  const leaderPid = pids[urls.indexOf(leaderUrl)]!;
  const followerPid = pids.find((p) => p !== leaderPid)!;
  await new Promise((r) => setTimeout(r, 2000));
  const windows: Window[] = [];
  const idleFrom = nowUs();
  await new Promise((r) => setTimeout(r, Number(a.idle) * 1000));
  windows.push({ name: 'idle', fromUs: idleFrom, toUs: nowUs(), writes: 0 });
  for (const c of [1, 16]) {
    let from = 0;
    const { result } = await runLoad(
      [path.join(a.shared!, 'load.mjs'), '--target', 'raft', '--endpoints', urls.join(','), '-c', String(c)],
      {},
      () => {
        from = nowUs() + 1_200_000; // after load.mjs's 1 s warm-up
      },
    );
    const to = nowUs();
    windows.push({
      name: `set c=${c}`,
      fromUs: from,
      toUs: to,
      writes: Number(result.ok) * ((to - from) / 1e6 / SECONDS),
    });
    console.log(`set c=${c}: ${result.ops_per_s} ops/s, p50 ${result.p50_ms} ms`);
  }
  await sys.stop(); // each node writes its profile as it exits
  const files = readdirSync(profDir);
  const load = (pid: number) => {
    const f = files.find((x) => x.split('.').includes(String(pid)));
    if (!f) throw new Error(`no profile for pid ${pid} in ${profDir}`);
    return { file: f, profile: JSON.parse(readFileSync(path.join(profDir, f), 'utf8')) as CpuProfile };
  };
  const leader = load(leaderPid);
  const follower = load(followerPid);
  const outDir = path.resolve(a.out ?? path.join(ROOT, 'bench/results', `profile-${Date.now()}`));
  mkdirSync(outDir, { recursive: true });
  console.log(`# CPU profile, 5 nodes, hb 50 / election 300\n\n${machineLine()}`);
  const out: Record<string, unknown> = { machine: machineLine() };
  for (const w of windows) {
    for (const [role, p] of [
      ['leader', leader],
      ['follower', follower],
    ] as const) {
      const s = summarizeProfile(p.profile, w.fromUs, w.toUs);
      out[`${w.name} ${role}`] = s;
      print(`${w.name}, ${role}`, s, w.writes);
    }
  }
  writeFileSync(path.join(outDir, 'profile-summary.json'), `${JSON.stringify(out, null, 2)}\n`);
  copyFileSync(path.join(profDir, leader.file), path.join(outDir, 'leader.cpuprofile'));
  copyFileSync(path.join(profDir, follower.file), path.join(outDir, 'follower.cpuprofile'));
  console.log(`\nwrote profile-summary.json, leader.cpuprofile and follower.cpuprofile to ${outDir}`);
} finally {
  killLoadGenerators();
  await sys.stop();
  rmSync(work, { recursive: true, force: true });
}
