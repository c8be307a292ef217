// One message exchange as the nodes reported it: a request (held, sent, received) and its reply
// (sent, received), or where it was lost and why. Built from the events of both nodes, which
// share the sender's id ("3.17"). Pure.
import type { LossReason, MessageEvent } from '../../../server/contract/node-events.ts';
import type { RpcName } from '../../../server/contract/raft-rpc.ts';

export interface MessageRecord {
  /** Unique in a store (an id is reused when a node restarts: `#2` marks the later one). */
  key: string;
  /** The nodes' id: "<sender>.<n>", "-dup" for a duplicate. */
  id: string;
  rpc: RpcName;
  from: string;
  to: string;
  term: number;
  entries: number;
  heartbeat: boolean;
  heldAt: number | null;
  sentAt: number | null;
  /** The link's delay, as the sender said when it sent. */
  delayMs: number;
  recvAt: number | null;
  replySentAt: number | null;
  replyDelayMs: number;
  replyRecvAt: number | null;
  /** vote_granted / success of the reply. */
  result: boolean | null;
  lostAt: number | null;
  lostReason: LossReason | null;
  lostDetail: string | null;
  /** The earliest time anything is known about it. */
  start: number;
  /** Event ids of the events that made it (for jump-to-event). */
  eventIds: string[];
}

/** A message the same id cannot be: more than this apart, it is a restarted node's new message. */
const SAME_MESSAGE_MS = 10_000;

export function newRecord(key: string, ev: MessageEvent): MessageRecord {
  return {
    key,
    id: ev.id,
    rpc: ev.rpc,
    from: ev.kind === 'request' ? ev.from : ev.to,
    to: ev.kind === 'request' ? ev.to : ev.from,
    term: ev.term,
    entries: ev.kind === 'request' ? ev.entries : 0,
    heartbeat: ev.heartbeat,
    heldAt: null,
    sentAt: null,
    delayMs: 0,
    recvAt: null,
    replySentAt: null,
    replyDelayMs: 0,
    replyRecvAt: null,
    result: null,
    lostAt: null,
    lostReason: null,
    lostDetail: null,
    start: ev.at,
    eventIds: [],
  };
}

/**
 * Whether `ev` belongs to `r`: not when the slot it fills is taken, nor when `r` was over long
 * before (a restarted node numbers its messages from 1 again). A request held for minutes
 * still gets its send.
 */
export function belongsTo(r: MessageRecord, ev: MessageEvent): boolean {
  if (slotOf(r, ev) !== null) return false;
  const over = r.lostAt ?? r.replyRecvAt;
  return over === null || Math.abs(ev.at - over) <= SAME_MESSAGE_MS;
}

/** The time already set for the slot `ev` fills, or null when the slot is free. */
function slotOf(r: MessageRecord, ev: MessageEvent): number | null {
  if (ev.type === 'rpc_held') return r.heldAt;
  if (ev.type === 'rpc_lost') return r.lostAt;
  if (ev.kind === 'request') return ev.dir === 'send' ? r.sentAt : r.recvAt;
  return ev.dir === 'send' ? r.replySentAt : r.replyRecvAt;
}

/** Puts what `ev` says into `r`. */
export function applyEvent(r: MessageRecord, ev: MessageEvent, eventId: string | null): void {
  r.start = Math.min(r.start, ev.at);
  if (eventId !== null) r.eventIds.push(eventId);
  if (ev.kind === 'request' && ev.entries > r.entries) r.entries = ev.entries;
  if (ev.type === 'rpc_held') r.heldAt = ev.at;
  else if (ev.type === 'rpc_lost') {
    r.lostAt = ev.at;
    // The receiver's "partitioned" says more than the sender's "peer down" for the same message.
    if (r.lostReason === null || ev.reason === 'partitioned') r.lostReason = ev.reason;
    r.lostDetail = ev.detail ?? r.lostDetail;
  } else if (ev.kind === 'request') {
    if (ev.dir === 'send') {
      r.sentAt = ev.at;
      r.delayMs = ev.delay_ms ?? 0;
    } else r.recvAt = ev.at;
  } else {
    if (ev.result !== null) r.result = ev.result;
    if (ev.dir === 'send') {
      r.replySentAt = ev.at;
      r.replyDelayMs = ev.delay_ms ?? 0;
    } else r.replyRecvAt = ev.at;
  }
}

/** Which leg died: the reply, when the request had arrived before the loss was reported. */
export function lostLeg(r: MessageRecord): 'request' | 'response' | null {
  if (r.lostAt === null) return null;
  return r.recvAt !== null && r.recvAt <= r.lostAt && r.lostReason !== 'dropped' ? 'response' : 'request';
}

/** The last time anything happened to it (null while it may still be under way). */
export function endOf(r: MessageRecord): number | null {
  if (r.lostAt !== null) return r.lostAt;
  return r.replyRecvAt;
}
