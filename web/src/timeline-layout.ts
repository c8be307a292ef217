// The message timeline as a Lamport (space-time) diagram: one lane per node, time left to right,
// each message a line from its sender's lane at send time to its receiver's lane at receive
// time — also a lost one, which ends at its real receiver's lane (at the time it was given up)
// with a mark. A request that waited in an outbox is a dotted stretch on the sender's lane.
// Heartbeats and retry storms (the same message lost again and again) are summed up as one
// counted line per pair of nodes, which the learner can expand. Pure, so it is unit-tested.
import type { LossReason } from '../../server/contract/node-events.ts';
import type { RpcName } from '../../server/contract/raft-rpc.ts';
import { lostLeg, type MessageRecord } from './history/message-record.ts';

export interface TimelineOptions {
  /** The window drawn: t0 at x = 0, t1 at x = width. */
  t0: number;
  t1: number;
  width: number;
  /** Lane centre y of each node id. */
  laneY: Map<string, number>;
  /** `summary`: heartbeats as counted runs; `each`: every heartbeat drawn. */
  heartbeats: 'summary' | 'each';
  /** Run keys the learner expanded. */
  expanded: ReadonlySet<string>;
  /** The present: legs still under way end here. */
  now: number;
}

export interface Segment {
  key: string;
  record: MessageRecord;
  rpc: RpcName;
  kind: 'request' | 'response';
  heartbeat: boolean;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** It died on the way: the line ends at the receiver's lane with a mark. */
  lost: LossReason | null;
  /** Still under way at `now`. */
  inFlight: boolean;
  label: string;
}

/** A request waiting in its sender's outbox (the network was held). */
export interface HeldStretch {
  key: string;
  record: MessageRecord;
  x1: number;
  x2: number;
  y: number;
}

/** Many alike messages between two nodes, drawn as one counted band on the receiver's lane. */
export interface Run {
  key: string;
  kind: 'heartbeats' | 'retries';
  from: string;
  to: string;
  count: number;
  x1: number;
  x2: number;
  yFrom: number;
  yTo: number;
  expanded: boolean;
  label: string;
  records: MessageRecord[];
}

export interface TimelineLayout {
  segments: Segment[];
  held: HeldStretch[];
  runs: Run[];
}

/** Alike messages closer than this in time belong to one run. */
export const RUN_GAP_MS = 2000;
/** Lost messages repeated at least this often are a retry storm. */
const MIN_RETRIES = 3;
/** A leg whose end is not known is drawn this long at most. */
const UNKNOWN_END_MS = 3000;

const REASON_TEXT: Record<LossReason, string> = {
  partitioned: 'partitioned',
  peer_down: 'peer down',
  timed_out: 'timed out',
  dropped: 'dropped',
  link_loss: 'lossy link',
  refused: 'refused',
  overflow: 'outbox full',
};

export function reasonText(r: LossReason): string {
  return REASON_TEXT[r];
}

/** Short text beside a message, so its kind reads without colour. */
export function labelOf(m: MessageRecord, kind: 'request' | 'response'): string {
  if (m.rpc === 'request_vote') {
    if (kind === 'request') return `RV t${m.term}`;
    return m.result === true ? 'vote ✓' : m.result === false ? 'vote ✗' : 'vote';
  }
  // Dissertation §9.6: "could I win term t?" — no term changes anywhere.
  if (m.rpc === 'pre_vote') {
    if (kind === 'request') return `PV t${m.term}`;
    return m.result === true ? 'pre ✓' : m.result === false ? 'pre ✗' : 'pre';
  }
  if (m.rpc === 'timeout_now') return kind === 'request' ? 'TimeoutNow' : 'TN ✓';
  if (kind === 'request') return m.heartbeat ? 'HB' : `AE t${m.term} +${m.entries}`;
  return m.result === false ? 'AE ✗' : 'AE ✓';
}

/** Evenly spaced lane centres for `ids`, top to bottom. */
export function laneLayout(ids: readonly string[], height: number, padding = 14): Map<string, number> {
  const lanes = new Map<string, number>();
  const n = ids.length;
  const step = n <= 1 ? 0 : (height - 2 * padding) / (n - 1);
  ids.forEach((id, i) => {
    lanes.set(id, n === 1 ? height / 2 : padding + i * step);
  });
  return lanes;
}

/** Groups alike records (sorted by start) into runs of messages closer than RUN_GAP_MS. */
function runsOf(
  records: readonly MessageRecord[],
  keyOf: (m: MessageRecord) => string | null,
): MessageRecord[][] {
  const open = new Map<string, MessageRecord[]>();
  const out: MessageRecord[][] = [];
  for (const m of records) {
    const k = keyOf(m);
    if (k === null) continue;
    const run = open.get(k);
    const last = run?.at(-1);
    if (run && last && m.start - last.start <= RUN_GAP_MS) run.push(m);
    else {
      const fresh = [m];
      open.set(k, fresh);
      out.push(fresh);
    }
  }
  return out;
}

export function layoutTimeline(records: readonly MessageRecord[], o: TimelineOptions): TimelineLayout {
  const span = Math.max(1, o.t1 - o.t0);
  const x = (t: number) => ((t - o.t0) / span) * o.width;
  const lane = (id: string) => o.laneY.get(id);
  const inWindow = (a: number, b: number) => b >= o.t0 && a <= o.t1;
  const sorted = [...records].sort((a, b) => a.start - b.start);

  // Which records are summed up into runs (unless the learner expanded the run).
  const summed = new Set<MessageRecord>();
  const runs: Run[] = [];
  const addRuns = (kind: Run['kind'], min: number, keyOf: (m: MessageRecord) => string | null) => {
    for (const group of runsOf(sorted, keyOf)) {
      if (group.length < min) continue;
      const first = group[0]!;
      const last = group.at(-1)!;
      const end = last.replyRecvAt ?? last.lostAt ?? last.recvAt ?? last.start;
      const yFrom = lane(first.from);
      const yTo = lane(first.to);
      if (yFrom === undefined || yTo === undefined || !inWindow(first.start, end)) continue;
      const key = `${kind}|${first.key}`;
      const expanded = o.expanded.has(key);
      if (!expanded) for (const m of group) summed.add(m);
      const reason = kind === 'retries' && first.lostReason ? ` (${reasonText(first.lostReason)})` : '';
      runs.push({
        key,
        kind,
        from: first.from,
        to: first.to,
        count: group.length,
        x1: x(first.start),
        x2: x(end),
        yFrom,
        yTo,
        expanded,
        label:
          kind === 'heartbeats'
            ? `♥ ${group.length} heartbeats from node${first.from}`
            : `✕ ${group.length}× ${first.rpc} from node${first.from}${reason}`,
        records: group,
      });
    }
  };
  if (o.heartbeats === 'summary')
    addRuns('heartbeats', 2, (m) => (m.heartbeat && m.lostAt === null ? `${m.from}|${m.to}` : null));
  addRuns('retries', MIN_RETRIES, (m) =>
    m.lostReason !== null && m.lostReason !== 'dropped' ? `${m.from}|${m.to}|${m.rpc}|${m.lostReason}` : null,
  );

  const segments: Segment[] = [];
  const held: HeldStretch[] = [];
  for (const m of sorted) {
    if (summed.has(m)) continue;
    const yFrom = lane(m.from);
    const yTo = lane(m.to);
    if (yFrom === undefined || yTo === undefined) continue;
    const leg = lostLeg(m);
    if (m.heldAt !== null) {
      const until = m.sentAt ?? m.lostAt ?? o.now;
      if (inWindow(m.heldAt, until))
        held.push({ key: `${m.key}|held`, record: m, x1: x(m.heldAt), x2: x(until), y: yFrom });
    }
    const legs: [
      kind: 'request' | 'response',
      sent: number | null,
      arrived: number | null,
      ys: [number, number],
    ][] = [
      ['request', m.sentAt ?? (m.heldAt === null ? m.recvAt : null), m.recvAt, [yFrom, yTo]],
      ['response', m.replySentAt, m.replyRecvAt, [yTo, yFrom]],
    ];
    for (const [kind, sent, arrived, [y1, y2]] of legs) {
      if (sent === null) continue;
      const lost = leg === kind ? m.lostReason : null;
      let end = lost !== null ? m.lostAt! : arrived;
      const inFlight = end === null;
      if (end === null) {
        if (o.now - sent > UNKNOWN_END_MS) continue;
        end = o.now;
      }
      if (!inWindow(sent, end)) continue;
      segments.push({
        key: `${m.key}|${kind}`,
        record: m,
        rpc: m.rpc,
        kind,
        heartbeat: m.heartbeat,
        x1: x(sent),
        y1,
        x2: x(end),
        // Lost or not, a message is drawn to its real receiver's lane.
        y2: inFlight ? y1 + (y2 - y1) * 0.5 : y2,
        lost,
        inFlight,
        label: labelOf(m, kind),
      });
    }
  }
  return { segments, held, runs };
}

/** The segment nearest to (px, py) within `tolerance` pixels, for hover and click. */
export function segmentAt(
  segments: readonly Segment[],
  px: number,
  py: number,
  tolerance = 6,
): Segment | null {
  let best: Segment | null = null;
  let bestD = tolerance;
  for (const s of segments) {
    const dx = s.x2 - s.x1;
    const dy = s.y2 - s.y1;
    const len2 = dx * dx + dy * dy || 1;
    const k = Math.max(0, Math.min(1, ((px - s.x1) * dx + (py - s.y1) * dy) / len2));
    const d = Math.hypot(px - (s.x1 + k * dx), py - (s.y1 + k * dy));
    if (d <= bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}
