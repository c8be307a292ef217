// The state of the cluster at one moment, rebuilt from the history: each server's role, term,
// vote, election timer and log (the status sample before that moment, then the events since),
// the messages in flight with how far they have come, the requests waiting in outboxes, and the
// messages lost a moment ago, where they died. The same function draws the live picture
// (T = now) and time travel (T in the past). Pure.
import type { NodeView } from '../../../server/contract/cluster-view.ts';
import type { LossReason } from '../../../server/contract/node-events.ts';
import type { Role } from '../../../server/contract/node-status.ts';
import type { RpcName } from '../../../server/contract/raft-rpc.ts';
import { type HistoryStore, lastAtOrBefore } from './history-store.ts';
import { endOf, lostLeg, type MessageRecord } from './message-record.ts';

/** The node's Raft role (`pre_candidate`: a PreVote round, dissertation §9.6), or why it has none. */
export type ServerRole = Role | 'down' | 'paused' | 'unknown';

/** A role in words for people: `pre_candidate` → `pre-candidate`. */
export const roleText = (role: string): string => role.replace('_', '-');

export interface TimerScene {
  state: 'running' | 'paused';
  /** Of the timeout still to run: 1 = just reset, 0 = fires now. */
  fraction: number;
  remainingMs: number;
  timeoutMs: number;
}

export interface ServerScene {
  id: string;
  name: string;
  role: ServerRole;
  term: number;
  votedFor: string | null;
  leaderId: string | null;
  commitIndex: number;
  timer: TimerScene | null;
  /** A candidate's votes in its term so far: peer id → granted. */
  votes: Record<string, boolean>;
  /** Since the leader's last heartbeat (ms), or null. */
  heartbeatAgoMs: number | null;
  /** The status sample's view of the node with role, term, vote and commit brought up to T (log strips, cards). */
  view: NodeView | null;
}

export interface FlyingMessage {
  key: string;
  id: string;
  rpc: RpcName;
  kind: 'request' | 'response';
  /** Where this leg flies from and to (a reply flies back). */
  from: string;
  to: string;
  term: number;
  heartbeat: boolean;
  entries: number;
  result: boolean | null;
  /** 0 at the sender, 1 at the receiver. */
  progress: number;
  /** Set when this leg dies on the way (it stops at the death point). */
  lost: LossReason | null;
}

/** A request waiting in its sender's outbox. */
export type HeldScene = Pick<
  MessageRecord,
  'key' | 'id' | 'rpc' | 'from' | 'to' | 'term' | 'heartbeat' | 'entries'
> & {
  heldAt: number;
};

export interface LostMark {
  key: string;
  from: string;
  to: string;
  reason: LossReason;
  /** Where on the way it died (0 sender … 1 receiver). */
  progress: number;
  /** How many died there within the mark's life (a retry storm is one mark). */
  count: number;
  /** 1 just died … 0 about to fade. */
  freshness: number;
  rpc: RpcName;
}

export interface Scene {
  t: number;
  servers: ServerScene[];
  flying: FlyingMessage[];
  held: HeldScene[];
  lost: LostMark[];
  /** The slowest node's speed factor (1 = normal, 0.1 = slow motion). */
  speed: number;
}

/** A message that crossed the loopback in 1 ms is still drawn travelling for this long. */
export const MIN_FLIGHT_MS = 120;
/** A lost message's ✕ stays this long. */
export const LOST_MARK_MS = 1500;
/** A leg whose end is not known (yet) is drawn this long at most. */
const UNKNOWN_END_MS = 3000;
/** How far back a message may have started and still be on screen (long link delays, timeouts). */
const LOOK_BACK_MS = 15_000;

/** Where a lost message is drawn dying: at the outbox, at a cut, or at the receiver's door. */
export function deathPoint(reason: LossReason): number {
  switch (reason) {
    case 'dropped':
    case 'overflow':
      return 0.12;
    case 'partitioned':
    case 'link_loss':
      return 0.5;
    default:
      return 0.9;
  }
}

export function sceneAt(store: HistoryStore, t: number): Scene {
  const sample = store.sampleAt(t);
  const servers = store.nodes.map((n) =>
    serverAt(
      store,
      n.id,
      n.name,
      sample?.nodes.find((v) => v.id === n.id) ?? null,
      sample?.at ?? -Infinity,
      t,
    ),
  );
  const speeds = servers.map((s) => s.view?.status?.faults?.speed ?? 1);
  const { flying, held, lost } = messagesAt(store, t);
  return { t, servers, flying, held, lost, speed: Math.min(1, ...speeds) };
}

function serverAt(
  store: HistoryStore,
  id: string,
  name: string,
  view: NodeView | null,
  sampledAt: number,
  t: number,
): ServerScene {
  const h = store.node(id);
  const st = view?.status ?? null;
  let role: ServerRole = !view
    ? 'unknown'
    : !view.up
      ? 'down'
      : view.paused
        ? 'paused'
        : (st?.state ?? 'unknown');
  let term = st?.term ?? 0;
  let leaderId = st?.leader_id ?? null;
  let commitIndex = st?.commit_index ?? 0;
  let votedFor = st?.voted_for ?? null;
  // Events after the sample bring it up to t; with no sample, all events up to t do.
  for (const e of h.changes) {
    if (e.at > t) break;
    if (e.at <= sampledAt) continue;
    if (e.type === 'state') {
      if (e.term > term) votedFor = null;
      role = e.state;
      term = e.term;
      leaderId = e.leader_id;
      if (e.state === 'candidate') votedFor = id;
    } else if (e.type === 'term') {
      if (e.term > term) votedFor = null;
      term = e.term;
    } else commitIndex = e.commit_index;
  }
  const grant = lastAtOrBefore(h.votesGranted, t, (v) => v.at);
  if (grant && grant.at > sampledAt && grant.granted && grant.term === term) votedFor = grant.peer;
  const votes: Record<string, boolean> = {};
  if (role === 'candidate') {
    for (const v of h.votesReceived) {
      if (v.at > t) break;
      if (v.term === term) votes[v.peer] = v.granted;
    }
  }
  const hb = lastAtOrBefore(h.heartbeats, t, (x) => x);
  return {
    id,
    name,
    role,
    term,
    votedFor,
    leaderId,
    commitIndex,
    timer:
      role === 'down' || role === 'leader'
        ? null
        : timerAt(store, id, role === 'paused' ? Math.min(t, sampledAt) : t),
    votes,
    heartbeatAgoMs: role === 'leader' && hb !== undefined ? t - hb : null,
    view:
      view && st
        ? {
            ...view,
            status: {
              ...st,
              state: role === 'down' || role === 'paused' || role === 'unknown' ? st.state : role,
              term,
              leader_id: leaderId,
              voted_for: votedFor,
              commit_index: Math.max(commitIndex, 0),
            },
          }
        : view,
  };
}

function timerAt(store: HistoryStore, id: string, t: number): TimerScene | null {
  const e = lastAtOrBefore(store.node(id).timers, t, (x) => x.at);
  if (!e || e.state === 'stopped' || e.timeout_ms <= 0) return null;
  const remaining = e.state === 'running' ? Math.max(0, e.remaining_ms - (t - e.at)) : e.remaining_ms;
  return {
    state: e.state,
    remainingMs: remaining,
    timeoutMs: e.timeout_ms,
    fraction: Math.min(1, remaining / e.timeout_ms),
  };
}

/** A leg from `sentAt` that arrives at `arriveAt` (null: not known) and maybe dies on the way. */
function legProgress(t: number, sentAt: number, arriveAt: number | null, expectedMs: number): number | null {
  if (t < sentAt) return null;
  if (arriveAt === null) {
    if (t - sentAt > UNKNOWN_END_MS) return null;
    return Math.min(0.95, (t - sentAt) / Math.max(MIN_FLIGHT_MS, expectedMs));
  }
  const flight = Math.max(MIN_FLIGHT_MS, arriveAt - sentAt);
  const p = (t - sentAt) / flight;
  return p < 1 ? p : null;
}

function messagesAt(store: HistoryStore, t: number): Pick<Scene, 'flying' | 'held' | 'lost'> {
  const flying: FlyingMessage[] = [];
  const held: HeldScene[] = [];
  const marks = new Map<string, LostMark>();
  const fly = (m: MessageRecord, kind: 'request' | 'response', progress: number, lost: LossReason | null) =>
    flying.push({
      key: `${m.key}|${kind}`,
      id: m.id,
      rpc: m.rpc,
      kind,
      from: kind === 'request' ? m.from : m.to,
      to: kind === 'request' ? m.to : m.from,
      term: m.term,
      heartbeat: m.heartbeat,
      entries: kind === 'request' ? m.entries : 0,
      result: kind === 'response' ? m.result : null,
      progress,
      lost,
    });
  // Messages that started lately, and held ones (held long ago, maybe delivered lately).
  const recent = new Set(store.messagesBetween(t - LOOK_BACK_MS, t));
  for (const m of store.held)
    if (m.start < t - LOOK_BACK_MS && (endOf(m) ?? t) >= t - LOOK_BACK_MS) recent.add(m);
  for (const m of recent) {
    const leg = lostLeg(m);
    const dies = m.lostAt !== null && m.lostReason !== null ? deathPoint(m.lostReason) : 1;
    if (m.sentAt !== null) {
      const end = leg === 'request' ? m.lostAt : m.recvAt;
      const p = legProgress(t, m.sentAt, end, m.delayMs);
      if (p !== null)
        fly(m, 'request', leg === 'request' ? p * dies : p, leg === 'request' ? m.lostReason : null);
    }
    if (m.replySentAt !== null) {
      const end = leg === 'response' ? m.lostAt : m.replyRecvAt;
      const p = legProgress(t, m.replySentAt, end, m.replyDelayMs);
      if (p !== null)
        fly(m, 'response', leg === 'response' ? p * dies : p, leg === 'response' ? m.lostReason : null);
    }
    // The ✕ appears once the dot got to where it died.
    const legSent = leg === 'response' ? m.replySentAt : m.sentAt;
    const diedAt =
      m.lostAt === null ? null : legSent === null ? m.lostAt : Math.max(m.lostAt, legSent + MIN_FLIGHT_MS);
    if (diedAt !== null && m.lostReason !== null && diedAt <= t && t - diedAt < LOST_MARK_MS) {
      const back = leg === 'response';
      const from = back ? m.to : m.from;
      const to = back ? m.from : m.to;
      const key = `${from}|${to}|${m.lostReason}`;
      const freshness = 1 - (t - diedAt) / LOST_MARK_MS;
      const mark = marks.get(key);
      if (mark) {
        mark.count++;
        mark.freshness = Math.max(mark.freshness, freshness);
      } else {
        marks.set(key, {
          key,
          from,
          to,
          reason: m.lostReason,
          progress: dies,
          count: 1,
          freshness,
          rpc: m.rpc,
        });
      }
    }
  }
  for (const m of store.held) {
    if (m.heldAt === null || m.heldAt > t) continue;
    if ((m.sentAt !== null && m.sentAt <= t) || (m.lostAt !== null && m.lostAt <= t)) continue;
    held.push({
      key: m.key,
      id: m.id,
      rpc: m.rpc,
      from: m.from,
      to: m.to,
      term: m.term,
      heartbeat: m.heartbeat,
      entries: m.entries,
      heldAt: m.heldAt,
    });
  }
  held.sort((a, b) => a.heldAt - b.heldAt);
  return { flying, held, lost: [...marks.values()] };
}
