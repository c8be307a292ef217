// Measures the web app's budgets from issue 4 and prints the numbers (a benchmark, not a
// test: nothing here fails a build). Usage:
//   npx tsx bench/web-budgets.ts [--runs 5] [--no-build]
// 1. JS before Monaco: gzip size of the entry chunk and its static imports (from Vite's manifest).
// 2. First screen interactive: real Chromium against the real lab on localhost, time from
//    navigation to the lesson list and a first cell's Run button being there and enabled.
// 3. Live panel under load: long tasks (> 50 ms, PerformanceObserver 'longtask'), main-thread
//    busy time per second and the cluster picture's frame rate (requestAnimationFrame intervals:
//    median and 5th-percentile fps) while the real cluster replicates 10 commands/s, then while
//    the panel gets 15 snapshots/s of five 100-entry logs, then in slow motion (speed 0.1, every
//    wire 300 ms) with the network held and a candidate's requests queued.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CDPSession, ElementHandle, Page } from 'playwright-core';
import { launchChromium } from '../tests/e2e/chromium.ts';
import { startLab } from '../tests/e2e/lab-process.ts';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'web/dist');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const BUDGET = { firstScreenMs: 1500, jsBeforeMonacoKb: 250, longTaskMs: 50 };

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  isEntry?: boolean;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function gz(file: string): { raw: number; gzip: number } {
  const data = readFileSync(join(dist, file));
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
}

function jsSizes(): {
  before: { raw: number; gzip: number; files: string[] };
  lazy: { raw: number; gzip: number };
} {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
  if (!entry) throw new Error('no entry in web/dist/.vite/manifest.json; run npm run build');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const k of manifest[key].imports ?? []) visit(k);
  };
  visit(entry[0]);
  const files = [...seen].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
  const before = files
    .map(gz)
    .reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  const lazyFiles = Object.values(manifest)
    .map((c) => c.file)
    .filter((f) => f.endsWith('.js') && !files.includes(f));
  const lazy = lazyFiles
    .map(gz)
    .reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  return { before: { ...before, files }, lazy };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const LONGTASK_PROBE = `
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { window.__longTaskError = String(e); }
  // Every animation frame's time: the picture's frame rate.
  window.__frames = [];
  const frame = (t) => { window.__frames.push(t); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
`;

/** fps from frame times: the median and the 5th percentile (from the 95th-percentile interval). */
function fpsOf(frames: number[]): { median: number; p5: number; frames: number } {
  const gaps = frames
    .slice(1)
    .map((t, i) => t - frames[i]!)
    .sort((a, b) => a - b);
  if (gaps.length === 0) return { median: 0, p5: 0, frames: frames.length };
  const at = (q: number) => gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))]!;
  return { median: 1000 / at(0.5), p5: 1000 / at(0.95), frames: frames.length };
}

async function labAction(url: string, action: string): Promise<void> {
  const res = await fetch(`${url}/api/cluster/actions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ action }),
  });
  const body = (await res.json()) as { ok: boolean; actions?: { detail: string }[] };
  if (!body.ok) throw new Error(`${action}: ${body.actions?.[0]?.detail}`);
}

async function firstScreen(page: Page, url: string) {
  await page.goto(url);
  const interactive = (await (
    await page.waitForFunction(
      () => {
        const run = document.querySelector('notebook-cell button.run') as HTMLButtonElement | null;
        const list = document.querySelector('lesson-list')?.shadowRoot?.querySelector('a');
        return run && !run.disabled && list ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    )
  ).jsonValue()) as number;
  const monaco = (await (
    await page.waitForFunction(
      () => (document.querySelector('.monaco-editor') ? performance.now() : false),
      undefined,
      {
        polling: 'raf',
        timeout: 30_000,
      },
    )
  ).jsonValue()) as number;
  const fcp = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
  );
  return { interactive, monaco, fcp };
}

type Metrics = Record<string, number>;

/** Chrome's cumulative main-thread counters (seconds); one CDP session per page, enabled once. */
const sessions = new WeakMap<Page, CDPSession>();
async function mainThreadMetrics(page: Page): Promise<Metrics> {
  let cdp = sessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    sessions.set(page, cdp);
  }
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** What the cluster ring exposes for measuring (web/src/components/cluster-ring.ts). */
interface RingProbe {
  /** When each of its own redraws happened (ms, performance.now()). */
  frameTimes: number[];
  paints: number;
}

/** The cluster view's ring (Playwright's CSS selectors pierce the open shadow roots), or null. */
async function clusterRing(page: Page): Promise<ElementHandle<RingProbe> | null> {
  return (await page.$('cluster-panel cluster-ring')) as ElementHandle<RingProbe> | null;
}

async function liveLoad(page: Page, seconds: number, drive: () => Promise<void>) {
  const m0 = await mainThreadMetrics(page);
  await page.evaluate(
    (ring) => {
      const w = window as unknown as {
        __longTasks: unknown[];
        __counts?: Record<string, number>;
        raftLab: { live: EventTarget & { store: { events: unknown[] } } };
      };
      w.__longTasks = [];
      (window as unknown as { __frames: number[] }).__frames = [];
      // The cluster view's own redraws (it may draw less often than the page's frames).
      if (ring) {
        ring.frameTimes.length = 0;
        ring.paints = 0;
      }
      if (!w.__counts) {
        const counts = { snapshot: 0, events: 0 };
        w.__counts = counts;
        w.raftLab.live.addEventListener('snapshot', () => counts.snapshot++);
        w.raftLab.live.addEventListener('events', () => counts.events++);
      }
      w.__counts.snapshot = 0;
      w.__counts.events = 0;
      w.__counts.stored = w.raftLab.live.store.events.length;
    },
    await clusterRing(page),
  );
  await drive();
  const m1 = await mainThreadMetrics(page);
  const perS = (name: string) => ((m1[name] - m0[name]) * 1000) / seconds;
  const r = (await page.evaluate(
    (ring) => {
      const w = window as unknown as {
        __longTasks: { duration: number }[];
        __counts: Record<string, number>;
        __frames: number[];
        raftLab: { live: { store: { events: unknown[] } } };
      };
      const nodeEvents = w.raftLab.live.store.events.length - (w.__counts.stored ?? 0);
      return {
        paints: ring?.paints ?? 0,
        tasks: w.__longTasks,
        counts: { ...w.__counts, nodeEvents },
        frames: [...w.__frames],
        ringFrames: [...(ring?.frameTimes ?? [])],
      };
    },
    await clusterRing(page),
  )) as {
    tasks: { duration: number }[];
    counts: Record<string, number>;
    frames: number[];
    ringFrames: number[];
    paints: number;
  };
  return {
    paintsPerS: r.paints / seconds,
    fps: fpsOf(r.frames),
    ringFps: fpsOf(r.ringFrames),
    snapshotsPerS: r.counts.snapshot / seconds,
    eventsPerS: r.counts.nodeEvents / seconds,
    batchesPerS: r.counts.events / seconds,
    longTasks: r.tasks.length,
    maxLongTaskMs: Math.max(0, ...r.tasks.map((t) => t.duration)),
    durations: r.tasks.map((t) => Math.round(t.duration)),
    busy: {
      task: perS('TaskDuration'),
      script: perS('ScriptDuration'),
      style: perS('RecalcStyleDuration'),
      layout: perS('LayoutDuration'),
    },
  };
}

async function main(): Promise<void> {
  if (!args.includes('--no-build')) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const js = jsSizes();
  console.log('\n== JavaScript before Monaco (entry chunk + static imports, gzip -9)');
  console.log(`   files: ${js.before.files.join(', ')}`);
  console.log(
    `   ${kb(js.before.gzip)} gzipped (${kb(js.before.raw)} raw)  budget < ${BUDGET.jsBeforeMonacoKb} KB  ${js.before.gzip / 1024 < BUDGET.jsBeforeMonacoKb ? '✓' : '✗'}`,
  );
  console.log(`   loaded later (Monaco and friends): ${kb(js.lazy.gzip)} gzipped (${kb(js.lazy.raw)} raw)`);

  console.log(
    `\n(machine load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}: timings suffer when it is high)`,
  );
  const lab = await startLab({ port: 17600, basePort: 17610 });
  const browser = await launchChromium();
  try {
    console.log(`\n== First screen interactive (${runs} cold loads of ${lab.url}, 1280×720)`);
    const samples: { interactive: number; monaco: number; fcp: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await ctx.newPage();
      samples.push(await firstScreen(page, lab.url));
      await ctx.close();
    }
    const inter = median(samples.map((s) => s.interactive));
    console.log(`   first contentful paint: median ${median(samples.map((s) => s.fcp)).toFixed(0)} ms`);
    console.log(
      `   interactive (lessons listed, Run enabled): median ${inter.toFixed(0)} ms, all ${samples.map((s) => s.interactive.toFixed(0)).join(' / ')} ms  budget < ${BUDGET.firstScreenMs} ms  ${inter < BUDGET.firstScreenMs ? '✓' : '✗'}`,
    );
    console.log(
      `   Monaco editors up (after first paint): median ${median(samples.map((s) => s.monaco)).toFixed(0)} ms`,
    );

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await ctx.addInitScript(LONGTASK_PROBE);
    const page = await ctx.newPage();
    await firstScreen(page, lab.url);
    const supported = await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask'));
    if (!supported)
      console.log('   (this Chromium does not report long tasks; the numbers below are not meaningful)');

    const seconds = 10;
    console.log(`\n== Live panel, real cluster, 10 client commands/s for ${seconds} s`);
    const real = await liveLoad(page, seconds, async () => {
      const end = Date.now() + seconds * 1000;
      let i = 0;
      while (Date.now() < end) {
        const info = (await (await fetch(`${lab.url}/api/cluster`)).json()) as {
          nodes: { id: string; url: string }[];
          snapshot: { leaderId: string | null };
        };
        const leader = info.nodes.find((n) => n.id === info.snapshot.leaderId);
        const started = Date.now();
        if (leader) {
          await fetch(`${leader.url}/client_command`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ command: `set bench=${i++}` }),
          }).catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
      }
    });
    report(real);

    console.log(
      `\n== Live panel, 15 snapshots/s of five 100-entry logs (synthetic, on top of the live stream) for ${seconds} s`,
    );
    const synthetic = await liveLoad(page, seconds, async () => {
      await page.evaluate(async (secs) => {
        const live = (
          window as unknown as { raftLab: { live: { snapshot: unknown; apply: (m: unknown) => void } } }
        ).raftLab.live;
        const base = JSON.parse(JSON.stringify(live.snapshot)) as {
          at: number;
          nodes: { status: { log: unknown[]; commit_index: number } | null }[];
        };
        let n = 0;
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            n++;
            for (const node of base.nodes) {
              if (!node.status) continue;
              node.status.log = Array.from({ length: 100 }, (_, i) => ({
                index: n + i,
                term: 1 + Math.floor((n + i) / 17),
                type: 'command',
                command: `set k=${n + i}`,
              }));
              node.status.commit_index = n + 95;
            }
            live.apply({ seq: 0, type: 'snapshot', snapshot: { ...base, at: Date.now() } });
            if (n >= secs * 15) {
              clearInterval(timer);
              resolve();
            }
          }, 1000 / 15);
        });
      }, seconds);
    });
    report(synthetic);

    console.log(
      `\n== The picture in slow motion (speed 0.1, every wire 300 ms, network held, a candidate's requests queued) for ${seconds} s`,
    );
    await labAction(lab.url, 'speed 0.1');
    await labAction(lab.url, 'wires delay 300ms');
    await labAction(lab.url, 'hold');
    await labAction(lab.url, 'pause timers');
    await labAction(lab.url, 'timeout {{follower}}');
    const slow = await liveLoad(page, seconds, async () => {
      // Step a request now and then, as a learner would.
      for (let i = 0; i < seconds; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        await labAction(lab.url, 'deliver next').catch(() => undefined);
      }
    });
    report(slow);
    await labAction(lab.url, 'heal');
    await labAction(lab.url, 'speed 1');
    await ctx.close();
  } finally {
    await browser.close();
    await lab.stop();
  }
}

function report(r: {
  paintsPerS: number;
  fps: { median: number; p5: number; frames: number };
  ringFps: { median: number; p5: number; frames: number };
  snapshotsPerS: number;
  eventsPerS: number;
  batchesPerS: number;
  longTasks: number;
  maxLongTaskMs: number;
  durations: number[];
  busy: { task: number; script: number; style: number; layout: number };
}): void {
  console.log(
    `   main thread busy: ${r.busy.task.toFixed(0)} ms/s (script ${r.busy.script.toFixed(0)}, style ${r.busy.style.toFixed(0)}, layout ${r.busy.layout.toFixed(0)})`,
  );
  console.log(
    `   panel updates: ${r.snapshotsPerS.toFixed(1)} snapshots/s, ${r.eventsPerS.toFixed(1)} node events/s in ${r.batchesPerS.toFixed(1)} batches/s (one per animation frame)`,
  );
  console.log(
    `   cluster view frame rate: median ${r.ringFps.median.toFixed(0)} fps, 5th percentile ${r.ringFps.p5.toFixed(0)} fps (${r.ringFps.frames} frames, ${r.paintsPerS.toFixed(0)} painted a second: an unchanged picture is not repainted); page: median ${r.fps.median.toFixed(0)}, p5 ${r.fps.p5.toFixed(0)} fps (${r.fps.frames} frames)`,
  );
  console.log(
    `   long tasks > ${BUDGET.longTaskMs} ms: ${r.longTasks}${r.longTasks ? ` (${r.durations.join(', ')} ms)` : ''}  budget 0  ${r.longTasks === 0 ? '✓' : '✗'}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
