// Where the time of one write goes: a fresh 5-node cluster with RAFT_TRACE_DIR set (see
// server/node/phase-trace.ts), one client sending --writes sequential `set`s to the leader,
// then every write's path rebuilt from the nodes' trace files:
//
//   client → leader parse → propose → leader fsync → append_entries out → follower parse →
//   follower fsync → reply → commit → apply → answer
//
// following, for each write, the follower whose reply completed the majority. Prints the median
// and p90 of each phase and writes breakdown.json.
//
//   npm run bench:breakdown [-- --writes 300 --base-port 5301 --out DIR]

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from './proc-usage.ts';
import { RaftSystem } from './raft-system.ts';

const { values: a } = parseArgs({
  options: {
    writes: { type: 'string', default: '300' },
    'base-port': { type: 'string', default: '5301' },
    out: { type: 'string' },
  },
});

interface TraceEvent {
  t: number;
  ev: 'srv_in' | 'cli_in' | 'submit' | 'persist' | 'persisted' | 'send';
  path?: string;
  rpc?: string | null;
  bench?: string | null;
  entries?: [number, number] | null;
  committed?: [number, number] | null;
  type?: string;
  to?: string;
}

interface ClientWrite {
  seq: number;
  index: number;
  sent: number;
  received: number;
}

const clock = () => performance.timeOrigin + performance.now();

async function sendWrites(leader: string, n: number): Promise<ClientWrite[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const u = new URL(leader);
  const out: ClientWrite[] = [];
  for (let seq = 0; seq < n; seq++) {
    const body = Buffer.from(JSON.stringify({ command: `set k${seq % 1000}=v${seq}` }));
    const sent = clock();
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: '/client_command',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'x-bench-seq': String(seq),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const received = clock();
    const j = JSON.parse(text) as { success?: boolean; index?: number };
    if (j.success && typeof j.index === 'number') out.push({ seq, index: j.index, sent, received });
  }
  agent.destroy();
  return out;
}

const PHASES = [
  'client → leader (request in)',
  'leader: body parse + validation → submit',
  'leader: submit → propose + Ready (batching wait)',
  'leader fsync (own log)',
  'leader: persisted → append_entries sent',
  'network + follower wake-up → request in',
  'follower: parse + validation + step → Ready',
  'follower fsync',
  'follower: answer + network → reply in at leader',
  'leader: reply → Ready with the entry committed',
  'leader: Ready → its messages sent (commit notices), before applying',
  'leader: apply + answer → client has it',
] as const;

const has = (span: [number, number] | null | undefined, i: number) => !!span && span[0] <= i && i <= span[1];

/** One write's phases (ms), or null if some event is missing (e.g. an election in between). */
function phasesOf(w: ClientWrite, byNode: Map<string, TraceEvent[]>, leaderId: string): number[] | null {
  const L = byNode.get(leaderId)!;
  const find = (evs: TraceEvent[], p: (e: TraceEvent) => boolean, after = 0) =>
    evs.find((e) => e.t >= after && p(e));
  const arrive = find(L, (e) => e.ev === 'srv_in' && e.bench === String(w.seq));
  if (!arrive) return null;
  const submit = find(L, (e) => e.ev === 'submit', arrive.t);
  const lp0 = find(L, (e) => e.ev === 'persist' && has(e.entries, w.index), arrive.t);
  const lp1 = lp0 && find(L, (e) => e.ev === 'persisted' && has(e.entries, w.index), lp0.t);
  if (!submit || !lp0 || !lp1) return null;
  const replies = L.filter((e) => e.ev === 'send' && e.type === 'append_entries' && has(e.entries, w.index))
    .map((send) => {
      const F = byNode.get(send.to!) ?? [];
      const fin = find(F, (e) => e.ev === 'srv_in' && e.rpc === send.rpc);
      const fp0 = fin && find(F, (e) => e.ev === 'persist' && has(e.entries, w.index), fin.t);
      const fp1 = fp0 && find(F, (e) => e.ev === 'persisted' && has(e.entries, w.index), fp0.t);
      const back = find(L, (e) => e.ev === 'cli_in' && e.rpc === send.rpc);
      return fin && fp0 && fp1 && back ? { send, fin, fp0, fp1, back } : null;
    })
    .filter((r) => r !== null)
    .sort((x, y) => x.back.t - y.back.t);
  const majority = Math.floor(byNode.size / 2); // followers needed besides the leader
  const q = replies[majority - 1];
  if (!q) return null;
  const commit = find(L, (e) => e.ev === 'persist' && has(e.committed, w.index), q.back.t);
  if (!commit) return null;
  // node.ts sends the commit Ready's messages before it applies and answers.
  const sends = L.filter((e) => e.ev === 'send' && e.t >= commit.t && e.t <= w.received);
  const dispatched = sends.length > 0 ? sends[sends.length - 1]!.t : commit.t;
  const t = [
    w.sent,
    arrive.t,
    submit.t,
    lp0.t,
    lp1.t,
    q.send.t,
    q.fin.t,
    q.fp0.t,
    q.fp1.t,
    q.back.t,
    commit.t,
    dispatched,
    w.received,
  ];
  return t.slice(1).map((x, i) => x - t[i]!);
}

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? Number.NaN;
};
const ms = (x: number) => x.toFixed(3);

const work = mkdtempSync(path.join(tmpdir(), 'raft-breakdown-'));
const traceDir = path.join(work, 'trace');
mkdirSync(traceDir);
const sys = new RaftSystem({
  workDir: work,
  basePort: Number(a['base-port']),
  env: { RAFT_TRACE_DIR: traceDir },
});
const stop = async () => {
  await sys.stop();
};
process.on('SIGINT', () => void stop().then(() => process.exit(130)));
try {
  await sys.start({ heartbeatMs: 50, electionMs: 300 });
  const leader = await sys.leader();
  if (!leader) throw new Error('no leader');
  await new Promise((r) => setTimeout(r, 1000));
  const writes = await sendWrites(leader, Number(a.writes));
  const leaderId = String(sys.endpoints().indexOf(leader) + 1);
  await sys.stop(); // nodes flush their trace at exit
  const byNode = new Map<string, TraceEvent[]>();
  for (const f of readdirSync(traceDir)) {
    const id = /^node-(.+)\.jsonl$/.exec(f)?.[1];
    if (!id) continue;
    const evs = readFileSync(path.join(traceDir, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceEvent)
      .sort((x, y) => x.t - y.t);
    byNode.set(id, evs);
  }
  // The first writes warm up connections and JIT; keep the rest.
  const rows = writes
    .slice(20)
    .map((w) => phasesOf(w, byNode, leaderId))
    .filter((r) => r !== null);
  const totals = writes.slice(20).map((w) => w.received - w.sent);
  const medTotal = quantile(totals, 0.5);
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / (xs.length || 1);
  const meanTotal = mean(totals);
  console.log(
    `${machineLine()}\n${rows.length} of ${writes.length - 20} writes traced (1 client, 5 nodes, hb 50 / election 300)`,
  );
  // Means add up to the mean total (medians do not), so the share is of the mean.
  console.log('| phase | median ms | p90 ms | mean ms | share of mean |\n|---|---:|---:|---:|---:|');
  const summary = PHASES.map((name, i) => {
    const col = rows.map((r) => r[i]!);
    const [med, p90, avg] = [quantile(col, 0.5), quantile(col, 0.9), mean(col)];
    console.log(
      `| ${name} | ${ms(med)} | ${ms(p90)} | ${ms(avg)} | ${((avg / meanTotal) * 100).toFixed(0)}% |`,
    );
    return { phase: name, median_ms: med, p90_ms: p90, mean_ms: avg };
  });
  const traced = rows.map((r) => r.reduce((x, y) => x + y, 0));
  console.log(
    `| **total (client-measured)** | ${ms(medTotal)} | ${ms(quantile(totals, 0.9))} | ${ms(meanTotal)} | 100% |`,
  );
  console.log(`(the phases of the traced writes add up to a mean of ${ms(mean(traced))} ms)`);
  const outDir = path.resolve(a.out ?? path.join(import.meta.dirname, 'results', `breakdown-${Date.now()}`));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'breakdown.json'),
    `${JSON.stringify({ machine: machineLine(), traced: rows.length, total_median_ms: medTotal, total_mean_ms: meanTotal, phases: summary }, null, 2)}\n`,
  );
  console.log(`wrote ${path.join(outDir, 'breakdown.json')}`);
} finally {
  await stop();
  rmSync(work, { recursive: true, force: true });
}
