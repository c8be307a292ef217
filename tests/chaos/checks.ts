// What the fault test checks once the cluster has healed and settled. Each check returns the
// anomalies it found as sentences naming the operations and keys involved.
//
// 1. Linearizability of every key (P-compositionality: a key-value store is linearizable iff
//    each key is), with the Wing–Gong checker.
// 2. Every acknowledged set is visible to every later get of its key unless something could
//    have overwritten it (a direct, readable form of the most common linearizability failure).
// 3. At most one leader per term, as sampled from /status during the run (§5.2).
// 4. All nodes' committed prefixes agree (State Machine Safety, Figure 3).
// 5. The committed log explains every answer, and no retried request was applied twice: the
//    log is replayed through a model of the documented protocol (sessions from `register`, at
//    most once per client_id + request_id), and every acknowledged result and every node's
//    final map must match it.
// 6. No node stopped itself: a node that finds it cannot go on safely says so in its log and
//    exits (server/node/main.ts); only the nemesis may stop a node.
// checkRun runs them all over one run's evidence (run-chaos.ts gathers it).

import type { LogEntry } from '../../server/contract/raft-rpc.ts';
import { parseCommand } from '../../server/statemachine/command.ts';
import { brief, describeOp, type HistoryOp } from './history.ts';
import { checkLinearizable, type Operation } from './linearizability.ts';
import { type KeyInput, type KeyOutput, registerModel } from './register-model.ts';

/** A /log entry with the session fields. */
export type CommittedEntry = LogEntry & { client_id?: string; request_id?: string };

export interface LinearizabilityReport {
  anomalies: string[];
  /** Keys the search could not finish in time. */
  undecided: string[];
  ms: number;
}

/**
 * Checks each key's history. Failed operations did not happen and are left out; so are reads
 * with an unknown outcome (they change nothing), and writes with an unknown outcome whose value
 * nobody ever observed: any linearization of the rest stays one with such a write placed last
 * (its ret is +Infinity), so leaving it out changes no verdict — it only spares the search.
 */
export function checkKeys(history: HistoryOp[], deadline: number): LinearizabilityReport {
  const started = Date.now();
  const observed = new Set<string>();
  for (const op of history) if (op.outcome === 'ok' && typeof op.result === 'string') observed.add(op.result);
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    if (op.outcome === 'failed') continue;
    if (op.outcome === 'unknown' && (op.kind === 'get' || (op.kind === 'set' && !observed.has(op.value!))))
      continue;
    push(byKey, op.key, op);
  }
  const anomalies: string[] = [];
  const undecided: string[] = [];
  for (const [key, ops] of [...byKey].sort()) {
    const lin: Operation<KeyInput, KeyOutput>[] = ops.map((op) => ({
      id: op.id,
      call: op.invokedAt,
      ret: op.outcome === 'ok' ? op.completedAt! : Number.POSITIVE_INFINITY,
      input: op.kind === 'set' ? { kind: 'set', value: op.value! } : { kind: op.kind },
      output: op.outcome === 'ok' ? (op.result ?? null) : undefined,
    }));
    const r = checkLinearizable(registerModel(), lin, { deadline });
    if (r.linearizable === 'unknown') undecided.push(`${key} (${r.reason})`);
    else if (r.linearizable === false) {
      const byId = new Map(ops.map((op) => [op.id, op]));
      const last = r.longest.slice(-3).map((id) => `    ${describeOp(byId.get(id)!)}`);
      const next = r.stuckAt.slice(0, 6).map((id) => `    ${describeOp(byId.get(id)!)}`);
      anomalies.push(
        [
          `key ${key} is not linearizable: no order of its ${ops.length} operations explains what clients saw.`,
          `  The longest explainable order has ${r.longest.length}; it ends with:`,
          ...last,
          '  and none of these could come next (each contradicts the value the key must hold):',
          ...next,
        ].join('\n'),
      );
    }
  }
  return { anomalies, undecided, ms: Date.now() - started };
}

/**
 * An acknowledged `set k=v` must be visible to every get of k invoked after it completed,
 * unless a write that could come after it (not completed before the set was invoked) wrote
 * what the get saw. Checking the acknowledged set invoked last among those completed before
 * the get is enough: a write that may follow it may follow every earlier one too.
 */
export function checkAcknowledgedWrites(history: HistoryOp[]): string[] {
  const anomalies: string[] = [];
  const byValue = new Map<string, HistoryOp>();
  const deletes = new Map<string, HistoryOp[]>();
  const acked = new Map<string, HistoryOp[]>();
  for (const op of history) {
    if (op.outcome === 'failed') continue;
    if (op.kind === 'set') byValue.set(op.value!, op);
    if (op.kind === 'delete') push(deletes, op.key, op);
    if (op.kind === 'set' && op.outcome === 'ok') push(acked, op.key, op);
  }
  // Per key: acknowledged sets by completion time, with the latest invocation among the first i.
  const latest = new Map<string, { sets: HistoryOp[]; best: HistoryOp[] }>();
  for (const [key, sets] of acked) {
    sets.sort((a, b) => a.completedAt! - b.completedAt!);
    const best: HistoryOp[] = [];
    for (const op of sets)
      best.push(best.length > 0 && best.at(-1)!.invokedAt > op.invokedAt ? best.at(-1)! : op);
    latest.set(key, { sets, best });
  }
  for (const get of history) {
    if (get.kind !== 'get' || get.outcome !== 'ok') continue;
    const l = latest.get(get.key);
    if (!l) continue;
    let lo = 0;
    let hi = l.sets.length; // first set completed at or after the get's invocation
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l.sets[mid]!.completedAt! < get.invokedAt) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) continue;
    const set = l.best[lo - 1]!;
    if (set.value === get.result) continue;
    const mayFollow = (w: HistoryOp) =>
      w.key === get.key &&
      w.invokedAt < get.completedAt! &&
      (w.completedAt === null || w.completedAt > set.invokedAt);
    const writer = get.result === null ? undefined : byValue.get(get.result!);
    const explained =
      get.result === null
        ? (deletes.get(get.key) ?? []).some(mayFollow)
        : writer !== undefined && mayFollow(writer);
    if (!explained) {
      anomalies.push(
        `lost or stale write on key ${get.key}: ${describeOp(set)} was acknowledged, but the later ` +
          `${describeOp(get)} saw ${brief(get.result)}, which no write that could follow it wrote`,
      );
    }
  }
  return anomalies;
}

/** What a node says in its log when it exits because it cannot go on safely (server/node/main.ts). */
const STOPPED_ITSELF = /\[node (\S+)\] cannot continue safely, exiting: (.*)/;

/** Every line of the nodes' logs (`logs`: file name → text) in which a node stopped itself. */
export function checkNoNodeStoppedItself(logs: Map<string, string>): string[] {
  const anomalies: string[] = [];
  for (const [file, text] of logs) {
    for (const line of text.split('\n')) {
      const m = STOPPED_ITSELF.exec(line);
      if (m)
        anomalies.push(`node ${m[1]} stopped itself (${file}, ${line.slice(0, 24)}): ${m[2]!.slice(0, 300)}`);
    }
  }
  return anomalies;
}

/** §5.2: at most one leader per term among the /status samples taken during the run. */
export function checkLeadersPerTerm(leaders: Map<number, Set<string>>): string[] {
  return [...leaders]
    .filter(([, ids]) => ids.size > 1)
    .map(
      ([term, ids]) => `two leaders in term ${term}: nodes ${[...ids].join(' and ')} both said state=leader`,
    );
}

/** The same entry: term, type, command and the session fields. */
export const sameEntry = (a: CommittedEntry, b: CommittedEntry) =>
  a.term === b.term &&
  a.type === b.type &&
  a.command === b.command &&
  a.client_id === b.client_id &&
  a.request_id === b.request_id;

/**
 * State Machine Safety: every pair of nodes agrees on their common committed prefix. A log has
 * entry i at position i - 1 and may have holes (entries a snapshot dropped before they were
 * read, log-recorder.ts): an index is compared where both nodes showed it.
 */
export function checkCommittedPrefixes(logs: Map<string, CommittedEntry[]>): string[] {
  const anomalies: string[] = [];
  const all = [...logs];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [a, la] = all[i]!;
      const [b, lb] = all[j]!;
      const n = Math.min(la.length, lb.length);
      for (let k = 0; k < n; k++) {
        if (la[k] === undefined || lb[k] === undefined) continue;
        if (!sameEntry(la[k]!, lb[k]!)) {
          anomalies.push(
            `committed logs of nodes ${a} and ${b} differ at index ${k + 1}: ` +
              `${JSON.stringify(la[k]).slice(0, 120)} vs ${JSON.stringify(lb[k]).slice(0, 120)}`,
          );
          break;
        }
      }
    }
  }
  return anomalies;
}

export interface ReplayReport {
  anomalies: string[];
  /** client_id/request_id pairs that reached the committed log more than once. */
  retriedInLog: number;
  /** The final map the committed log implies. */
  kv: Record<string, string>;
}

/**
 * Replays a committed log through the documented session protocol (docs/node-api.md): a
 * session opens at its `register` entry's index, remembers the results of its last
 * `resultsPerClient` requests, and refuses numbers at or below its floor. Then checks that
 * every acknowledged operation got exactly the answer of its entry, and that each node's final
 * map is the replayed one: a retry applied twice would change one or the other.
 */
export function replayCommittedLog(
  log: CommittedEntry[],
  history: HistoryOp[],
  finalKv: Map<string, Record<string, string>>,
  resultsPerClient: number,
): ReplayReport {
  const kv = new Map<string, string>();
  const sessions = new Map<number, { floor: number; results: Map<number, string | null> }>();
  const answers = new Map<number, { result: string | null; duplicate: boolean } | 'refused'>();
  const seen = new Map<string, number>();
  let retriedInLog = 0;
  for (const e of log) {
    if (e.type !== 'command' || e.command === null) continue;
    const cmd = parseCommand(e.command);
    if ('error' in cmd) continue;
    if (cmd.op === 'register') {
      sessions.set(e.index, { floor: 0, results: new Map() });
      continue;
    }
    let slot: { s: { floor: number; results: Map<number, string | null> }; seq: number } | null = null;
    if (e.client_id !== undefined && e.request_id !== undefined) {
      const pair = `${e.client_id}/${e.request_id}`;
      seen.set(pair, (seen.get(pair) ?? 0) + 1);
      if (seen.get(pair) === 2) retriedInLog++;
      const s = sessions.get(Number(e.client_id));
      const seq = Number(e.request_id);
      if (!s || seq <= s.floor) {
        answers.set(e.index, 'refused');
        continue;
      }
      if (s.results.has(seq)) {
        answers.set(e.index, { result: s.results.get(seq)!, duplicate: true });
        continue;
      }
      slot = { s, seq };
    }
    const before = kv.get(cmd.key) ?? null;
    if (cmd.op === 'set') kv.set(cmd.key, cmd.value);
    if (cmd.op === 'delete') kv.delete(cmd.key);
    answers.set(e.index, { result: before, duplicate: false });
    if (slot) {
      slot.s.results.set(slot.seq, before);
      if (slot.s.results.size > resultsPerClient) {
        const lowest = Math.min(...slot.s.results.keys());
        slot.s.results.delete(lowest);
        slot.s.floor = Math.max(slot.s.floor, lowest);
      }
    }
  }
  const anomalies: string[] = [];
  for (const op of history) {
    if (op.outcome !== 'ok' || op.index === undefined) continue;
    // A ReadIndex or lease read has no entry of its own: its value may be newer than its read
    // index (the leader answers once applied ≥ read index), so only linearizability judges it.
    if (op.read !== undefined && op.read !== 'log') continue;
    const e = log[op.index - 1];
    const a = answers.get(op.index);
    const command = op.kind === 'set' ? `set ${op.key}=${op.value}` : `${op.kind} ${op.key}`;
    const ownEntry =
      e !== undefined &&
      e.command === command &&
      (op.session === undefined ||
        (e.client_id === String(op.session.clientId) && e.request_id === String(op.session.sequence)));
    if (!ownEntry) {
      anomalies.push(
        `${describeOp(op)} was answered from index ${op.index}, which holds ${JSON.stringify(e)?.slice(0, 120)}`,
      );
    } else if (a === undefined || a === 'refused' || a.result !== (op.result ?? null)) {
      const expected = a === undefined || a === 'refused' ? 'no result (refused)' : brief(a.result);
      anomalies.push(`${describeOp(op)}: the committed log gives ${expected} at index ${op.index}`);
    }
  }
  const expected = Object.fromEntries([...kv].sort(([x], [y]) => (x < y ? -1 : 1)));
  for (const [node, map] of finalKv) {
    const keys = new Set([...Object.keys(map), ...Object.keys(expected)]);
    const diff = [...keys].filter((k) => map[k] !== expected[k]);
    if (diff.length > 0) {
      anomalies.push(
        `node ${node}'s final map differs from its committed log on ${diff
          .slice(0, 5)
          .map((k) => `${k} (node: ${brief(map[k] ?? null)}, log: ${brief(expected[k] ?? null)})`)
          .join(', ')}: an entry was applied twice, or not at all`,
      );
    }
  }
  return { anomalies, retriedInLog, kv: expected };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** What a fault-test run gathered for the checks (run-chaos.ts). */
export interface RunEvidence {
  history: HistoryOp[];
  /** Who said it was leader, by term, as sampled from /status. */
  leaders: Map<number, Set<string>>;
  /** The nodes' log files' text, by file name. */
  nodeLogs: Map<string, string>;
  /** Each node's committed entries as the recorder read them, by node id. */
  logs: Map<string, CommittedEntry[]>;
  /** The union of the nodes' committed logs, and the indexes no node still held when read. */
  committed: { log: CommittedEntry[]; missing: string[] };
  /** What the log recorder itself found wrong (a node whose committed entry changed between reads). */
  recorderAnomalies: string[];
  /** Each node's final key-value map, by node id. */
  finalKv: Map<string, Record<string, string>>;
  resultsPerClient: number;
  /** When the linearizability checker must give up (ms since the epoch). */
  deadline: number;
}

/**
 * Every check of this file over one run: the anomalies found (the run is invalid if any), what
 * could not be decided (the run is then unknown, not wrong), and the log replay (null when part
 * of the committed log was gone).
 */
export function checkRun(e: RunEvidence): {
  anomalies: string[];
  undecided: string[];
  replay: ReplayReport | null;
} {
  const lin = checkKeys(e.history, e.deadline);
  const { log, missing } = e.committed;
  // Without the whole committed log the replay cannot explain the answers: undecided, not wrong.
  const replay =
    missing.length === 0 ? replayCommittedLog(log, e.history, e.finalKv, e.resultsPerClient) : null;
  const undecided = [...lin.undecided];
  if (replay === null) {
    undecided.push(
      `the committed log at ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}: every node dropped ` +
        'it into a snapshot before the recorder read it, so the log replay was skipped',
    );
  }
  const anomalies = [
    ...lin.anomalies,
    ...checkAcknowledgedWrites(e.history),
    ...checkLeadersPerTerm(e.leaders),
    ...checkNoNodeStoppedItself(e.nodeLogs),
    ...e.recorderAnomalies,
    ...checkCommittedPrefixes(e.logs),
    ...(replay?.anomalies ?? []),
  ];
  return { anomalies, undecided, replay };
}
