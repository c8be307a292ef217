// Reads a V8 .cpuprofile (node --cpu-prof) and says where the CPU went within a time window:
// self time by category (our code per file, npm packages, Node internals, GC, idle) and the
// functions with the most self and inclusive time. Sample times are CLOCK_MONOTONIC µs, the
// same clock as process.hrtime(), so a window taken with hrtime in another process applies.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  window_ms: number;
  /** CPU that was not idle, ms, and as % of one core over the window. */
  busy_ms: number;
  busy_pct: number;
  categories: { category: string; ms: number; pct_of_busy: number }[];
  self: { fn: string; ms: number; pct_of_busy: number }[];
  /** Inclusive time of this project's functions (server/…), each counted once per sample. */
  inclusive: { fn: string; ms: number; pct_of_busy: number }[];
}

function shortUrl(url: string): string {
  const m = /\/(server\/.*|bench\/.*)$/.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (m && url.includes('/node_modules/')) return `${m[1]}/${m[2]}`;
  if (m) return m[1]!;
  return url.replace(/^file:\/\//, '');
}

/** The category of a frame's self time. */
export function categoryOf(f: CallFrame): string {
  if (f.functionName === '(idle)') return 'idle';
  if (f.functionName === '(garbage collector)') return 'GC';
  if (f.functionName === '(program)') return 'V8/native (program)';
  const url = f.url;
  if (url === '') return 'builtins (JSON, RegExp, Promise…)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return `npm: ${pkg}`;
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, '');
    if (/^(_http|http)/.test(mod)) return 'node: http';
    if (/^(net|stream|streams|dns)/.test(mod)) return 'node: net/streams';
    if (/^fs/.test(mod)) return 'node: fs';
    if (/^(timers|process\/task_queues|async_hooks|event_target|events)/.test(mod))
      return 'node: timers/events/tasks';
    return 'node: other';
  }
  const own = /\/(server\/[^?]*)/.exec(url)?.[1];
  if (own) return own;
  return 'other';
}

const fnName = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

/** Summarises the samples taken between `fromUs` and `toUs` (monotonic µs). */
export function summarizeProfile(p: CpuProfile, fromUs: number, toUs: number, top = 20): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (t < fromUs || t > toUs) continue;
    // A sample stands for the time until the next one.
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const cats = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const incl = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    const cat = categoryOf(f);
    cats.set(cat, (cats.get(cat) ?? 0) + ms);
    if (cat === 'idle') continue;
    busy += ms;
    selfFn.set(fnName(f), (selfFn.get(fnName(f)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const cf = byId.get(n)!.callFrame;
      if (!/\/server\//.test(cf.url)) continue;
      const k = fnName(cf);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + ms);
    }
  }
  const windowMs = (Math.min(toUs, p.endTime) - Math.max(fromUs, p.startTime)) / 1000;
  const ranked = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([k, ms]) => ({
        k,
        ms: Math.round(ms * 10) / 10,
        pct_of_busy: Math.round((ms / busy) * 1000) / 10,
      }));
  return {
    window_ms: Math.round(windowMs),
    busy_ms: Math.round(busy),
    busy_pct: Math.round((busy / windowMs) * 1000) / 10,
    categories: ranked(cats, 40)
      .filter((c) => c.k !== 'idle')
      .map(({ k, ...r }) => ({ category: k, ...r })),
    self: ranked(selfFn, top).map(({ k, ...r }) => ({ fn: k, ...r })),
    inclusive: ranked(incl, top).map(({ k, ...r }) => ({ fn: k, ...r })),
  };
}
