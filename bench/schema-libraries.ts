// Measures what checking one inbound RPC costs with each candidate schema library, to choose
// the wire contract's library by numbers (issue 9). Prints µs of CPU per request for a 512-entry
// append_entries (a catch-up batch at the core's maxEntriesPerMessage) and for a heartbeat,
// each checked in full: the structure by the library, then the cross-field rules (entries
// contiguous after prev_log_index, terms never decreasing and ≤ the request's term) in plain
// code, as the node does. For scale it also prints JSON.parse of the same body; a loopback
// HTTP exchange costs ~115–190 µs (server/node/transport.ts).
//
// The candidates are not the project's dependencies (except the one chosen); install them
// anywhere and point the script there:
//   npm install --prefix /tmp/schema-bench zod valibot typebox ajv
//   SCHEMA_BENCH_MODULES=/tmp/schema-bench/node_modules npx tsx bench/schema-libraries.ts
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppendEntriesSchema, appendEntriesRules } from '../server/contract/raft-rpc.ts';
import { parseWire } from '../server/contract/wire-check.ts';

const MODULES = process.env.SCHEMA_BENCH_MODULES ?? join(import.meta.dirname, '../node_modules');
const MAX_TERM = 2 ** 52;
const MAX_INT = Number.MAX_SAFE_INTEGER;

// biome-ignore lint/suspicious/noExplicitAny: the candidates' APIs are loaded at run time.
type Any = any;

async function load(pkg: string, sub = ''): Promise<Any | null> {
  const dir = join(MODULES, pkg);
  if (!existsSync(dir)) return null;
  const manifest = (await import(pathToFileURL(join(dir, 'package.json')).href, { with: { type: 'json' } }))
    .default as { exports?: Record<string, Any>; main?: string; module?: string };
  const key = sub === '' ? '.' : `./${sub}`;
  const entry = manifest.exports?.[key];
  const pick = (e: Any): string | undefined =>
    typeof e === 'string' ? e : e && (pick(e.import) ?? pick(e.default) ?? pick(e.node));
  const file = (entry && pick(entry)) ?? manifest.module ?? manifest.main ?? 'index.js';
  return import(pathToFileURL(join(dir, file)).href);
}

function body(entries: number) {
  return {
    term: 7,
    leader_id: '1',
    leader_url: 'http://127.0.0.1:5001',
    prev_log_index: 1000,
    prev_log_term: 6,
    entries: Array.from({ length: entries }, (_, i) => ({
      index: 1001 + i,
      term: 7,
      type: 'command',
      command: `set key${i % 50}=value-${i}`,
      client_id: 'c1',
      request_id: `r${i}`,
    })),
    leader_commit: 999,
  };
}

/** The rules no structural schema states: the same plain loop for every candidate. */
function crossField(b: Any): boolean {
  if ((b.prev_log_index === 0) !== (b.prev_log_term === 0) || b.prev_log_term > b.term) return false;
  let last = b.prev_log_term;
  for (let i = 0; i < b.entries.length; i++) {
    const e = b.entries[i];
    if (e.index !== b.prev_log_index + 1 + i || e.term < last || e.term > b.term) return false;
    last = e.term;
  }
  return true;
}

type Check = (b: unknown) => boolean;

async function candidates(): Promise<{ name: string; check: Check }[]> {
  const out: { name: string; check: Check }[] = [];
  out.push({
    name: 'the contract (TypeBox)',
    check: (b) => parseWire(AppendEntriesSchema, b, appendEntriesRules).ok,
  });

  const zod = await load('zod');
  if (zod) {
    const z = zod;
    const nat = (max: number) => z.int().min(0).max(max);
    const entry = z.strictObject({
      index: nat(MAX_INT).min(1),
      term: nat(MAX_TERM).min(1),
      type: z.enum(['command', 'noop']),
      command: z.string().max(65536).nullable(),
      client_id: z.string().min(1).max(200).optional(),
      request_id: z.string().min(1).max(200).optional(),
    });
    const s = z.strictObject({
      term: nat(MAX_TERM),
      leader_id: z.string().min(1),
      leader_url: z
        .string()
        .regex(/^https?:\/\/[^\s/]+\/?$/)
        .optional(),
      prev_log_index: nat(MAX_INT),
      prev_log_term: nat(MAX_TERM),
      entries: z.array(entry),
      leader_commit: nat(MAX_INT),
    });
    out.push({ name: `zod ${await version('zod')}`, check: (b) => s.safeParse(b).success && crossField(b) });
  }

  const v = await load('valibot');
  if (v) {
    const nat = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
    const entry = v.strictObject({
      index: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_INT)),
      term: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TERM)),
      type: v.picklist(['command', 'noop']),
      command: v.nullable(v.pipe(v.string(), v.maxLength(65536))),
      client_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
      request_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
    });
    const s = v.strictObject({
      term: nat(MAX_TERM),
      leader_id: v.pipe(v.string(), v.minLength(1)),
      leader_url: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s/]+\/?$/))),
      prev_log_index: nat(MAX_INT),
      prev_log_term: nat(MAX_TERM),
      entries: v.array(entry),
      leader_commit: nat(MAX_INT),
    });
    out.push({
      name: `valibot ${await version('valibot')}`,
      check: (b) => v.safeParse(s, b, { abortEarly: true }).success && crossField(b),
    });
  }

  const tb = await load('typebox');
  const tbc = await load('typebox', 'compile');
  if (tb && tbc) {
    const T = tb.Type ?? tb.default;
    const nat = (max: number, min = 0) => T.Integer({ minimum: min, maximum: max });
    const entry = T.Object(
      {
        index: nat(MAX_INT, 1),
        term: nat(MAX_TERM, 1),
        type: T.Union([T.Literal('command'), T.Literal('noop')]),
        command: T.Union([T.String({ maxLength: 65536 }), T.Null()]),
        client_id: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
        request_id: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
      },
      { additionalProperties: false },
    );
    const s = T.Object(
      {
        term: nat(MAX_TERM),
        leader_id: T.String({ minLength: 1 }),
        leader_url: T.Optional(T.String({ pattern: '^https?://[^\\s/]+/?$' })),
        prev_log_index: nat(MAX_INT),
        prev_log_term: nat(MAX_TERM),
        entries: T.Array(entry),
        leader_commit: nat(MAX_INT),
      },
      { additionalProperties: false },
    );
    const compiled = tbc.Compile(s);
    out.push({
      name: `typebox ${await version('typebox')} (compiled)`,
      check: (b) => compiled.Check(b) && crossField(b),
    });
  }

  const ajvMod = await load('ajv');
  if (ajvMod) {
    const Ajv = ajvMod.default?.default ?? ajvMod.default;
    const ajv = new Ajv({ allErrors: false });
    const nat = (max: number, min = 0) => ({ type: 'integer', minimum: min, maximum: max });
    const validate = ajv.compile({
      type: 'object',
      additionalProperties: false,
      required: ['term', 'leader_id', 'prev_log_index', 'prev_log_term', 'entries', 'leader_commit'],
      properties: {
        term: nat(MAX_TERM),
        leader_id: { type: 'string', minLength: 1 },
        leader_url: { type: 'string', pattern: '^https?://[^\\s/]+/?$' },
        prev_log_index: nat(MAX_INT),
        prev_log_term: nat(MAX_TERM),
        leader_commit: nat(MAX_INT),
        entries: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'term', 'type', 'command'],
            properties: {
              index: nat(MAX_INT, 1),
              term: nat(MAX_TERM, 1),
              type: { enum: ['command', 'noop'] },
              command: { type: ['string', 'null'], maxLength: 65536 },
              client_id: { type: 'string', minLength: 1, maxLength: 200 },
              request_id: { type: 'string', minLength: 1, maxLength: 200 },
            },
          },
        },
      },
    });
    out.push({
      name: `ajv ${await version('ajv')} (compiled)`,
      check: (b) => validate(b) === true && crossField(b),
    });
  }
  return out;
}

async function version(pkg: string): Promise<string> {
  const m = await import(pathToFileURL(join(MODULES, pkg, 'package.json')).href, { with: { type: 'json' } });
  return (m.default as { version: string }).version;
}

/**
 * Median µs of CPU time per call over `rounds` rounds of `n` calls, after a warm-up. CPU time
 * (process.cpuUsage), not wall time: on a shared machine the wall clock also counts the time
 * other processes held the cores.
 */
function measure(f: () => unknown, n: number, rounds = 15): number {
  for (let i = 0; i < n; i++) f();
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const used = process.cpuUsage(t0);
    per.push((used.user + used.system) / n);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)]!;
}

const big = body(512);
const heartbeat = body(0);
const bigText = JSON.stringify(big);
console.log(
  `node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; candidates from ${MODULES}`,
);
console.log(`append_entries with 512 entries: ${bigText.length} bytes of JSON`);
console.log(`${'candidate'.padEnd(28)} ${'512 entries'.padStart(12)} ${'heartbeat'.padStart(12)}`);
const fmt = (us: number) => `${us.toFixed(us < 10 ? 2 : 1)} µs`.padStart(12);
for (const c of await candidates()) {
  if (!c.check(big) || !c.check(heartbeat)) throw new Error(`${c.name} rejects a valid body`);
  if (c.check({ ...big, entries: null }) || c.check({ ...heartbeat, entries: undefined })) {
    throw new Error(`${c.name} accepts an append_entries without entries`);
  }
  console.log(
    `${c.name.padEnd(28)} ${fmt(measure(() => c.check(big), 200))} ${fmt(measure(() => c.check(heartbeat), 20_000))}`,
  );
}
console.log(
  `${'(JSON.parse, for scale)'.padEnd(28)} ${fmt(measure(() => JSON.parse(bigText), 200))} ${fmt(measure(() => JSON.parse(JSON.stringify(heartbeat)), 20_000))}`,
);
