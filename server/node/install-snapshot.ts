// InstallSnapshot over HTTP (paper §7, Figure 13): the leader's shell sends its latest snapshot
// to a follower in chunks (offset, data, done); the follower's shell stages them and, once it
// holds the whole snapshot and its CRC-32 matches, steps ONE install_snapshot into the core.
// The core's answer leaves only after the snapshot is fsync'd (node.ts persists the Ready), so
// the last chunk is acknowledged durably; earlier chunks are only "received" (Figure 13 step 5).

import CRC32 from 'crc-32';
import {
  base64Bytes,
  type InstallSnapshotBody,
  InstallSnapshotReplySchema,
} from '../contract/install-snapshot.ts';
import { nodeIdText } from '../contract/raft-rpc.ts';
import { parseWire } from '../contract/wire-check.ts';
import type { InstallSnapshot, InstallSnapshotResponse, NodeId } from '../raft/types.ts';
import { KvStateMachine } from '../statemachine/kv.ts';
import type { StoredSnapshot } from './storage/snapshot-file.ts';

/** A chunk that cannot be taken: the HTTP status and the refusal's detail. */
export interface ChunkRefusal {
  status: number;
  error: string;
  detail: string;
}

export type ChunkOutcome =
  /** More chunks are expected: answer at once with how much is held. */
  | { kind: 'partial'; bytesReceived: number }
  /** The whole snapshot, checked: step it into the core and answer with its response. */
  | { kind: 'complete'; message: Omit<InstallSnapshot, 'to' | 'rpcId'>; bytes: Uint8Array }
  | { kind: 'refused'; refusal: ChunkRefusal };

interface Staging {
  key: string;
  chunks: Uint8Array[];
  received: number;
}

/** The follower's side: chunks of one snapshot at a time, in order, from offset 0. */
export class SnapshotReceiver {
  private staging: Staging | null = null;

  /** Takes one chunk (already checked against the contract). */
  chunk(b: InstallSnapshotBody): ChunkOutcome {
    const key = `${b.leader_id}/${b.term}/${b.last_included_index}/${b.total_bytes}/${b.crc32}`;
    if (b.offset === 0) this.staging = { key, chunks: [], received: 0 };
    const s = this.staging;
    if (s === null || s.key !== key || s.received !== b.offset) {
      const held = s?.key === key ? s.received : 0;
      return refuse(
        409,
        'out_of_order',
        `chunk at offset ${b.offset} of snapshot ${b.last_included_index} does not follow what this node holds ` +
          `(${held} bytes of it); the leader restarts the transfer from offset 0`,
      );
    }
    const data = Buffer.from(b.data, 'base64');
    if (data.length !== base64Bytes(b.data)) return refuse(400, 'bad_request', "field 'data' is not base64");
    s.chunks.push(data);
    s.received += data.length;
    if (!b.done) return { kind: 'partial', bytesReceived: s.received };
    this.staging = null;
    const bytes = new Uint8Array(Buffer.concat(s.chunks));
    if (CRC32.buf(bytes) !== b.crc32) {
      return refuse(
        400,
        'bad_checksum',
        `snapshot ${b.last_included_index}: the ${bytes.length} bytes received do not match crc32 ${b.crc32}; nothing was installed, the leader sends it again`,
      );
    }
    try {
      // Never half-loaded: the image must restore whole before the core hears of it.
      new KvStateMachine().restore(bytes);
    } catch (e) {
      return refuse(400, 'bad_snapshot', `snapshot ${b.last_included_index}: ${(e as Error).message}`);
    }
    return {
      kind: 'complete',
      bytes,
      message: {
        type: 'install_snapshot',
        from: nodeIdText(b.leader_id),
        term: b.term,
        leaderId: nodeIdText(b.leader_id),
        snapshot: { index: b.last_included_index, term: b.last_included_term, config: b.config },
        data: bytes,
      },
    };
  }
}

function refuse(status: number, error: string, detail: string): ChunkOutcome {
  return { kind: 'refused', refusal: { status, error, detail } };
}

export interface SnapshotSenderDeps {
  selfId: NodeId;
  advertiseUrl: string;
  chunkBytes: number;
  /** The node's latest durable snapshot. */
  latest: () => StoredSnapshot | null;
  /** POSTs one chunk; resolves with the peer's JSON reply (rejects on any failure). */
  post: (peer: NodeId, body: InstallSnapshotBody, rpcId: string) => Promise<unknown>;
  /** The transfer ended with this response (step it into the core). */
  done: (reply: InstallSnapshotResponse) => void;
  /** The transfer failed (tell the core the peer is unreachable). */
  failed: (peer: NodeId, err: Error) => void;
}

/** The leader's side: at most one transfer per follower (server/raft/README.md, "Sending one"). */
export class SnapshotSender {
  private readonly inFlight = new Set<NodeId>();
  private seq = 0;
  /** Transfers finished, and chunks sent, for /status metrics. */
  sent = 0;
  chunksSent = 0;

  constructor(private readonly deps: SnapshotSenderDeps) {}

  get transfers(): number {
    return this.inFlight.size;
  }

  /** Sends the latest snapshot (it may be newer than the one `m` names: snapshots only move forward). */
  send(m: InstallSnapshot): void {
    if (this.inFlight.has(m.to)) return;
    const snap = this.deps.latest();
    if (snap === null || snap.meta.index < m.snapshot.index) {
      this.deps.failed(m.to, new Error(`no snapshot at ${m.snapshot.index} to send`));
      return;
    }
    this.inFlight.add(m.to);
    this.transfer(m, snap)
      .then((reply) => this.deps.done(reply))
      .catch((e: Error) => this.deps.failed(m.to, e))
      .finally(() => this.inFlight.delete(m.to));
  }

  private async transfer(m: InstallSnapshot, snap: StoredSnapshot): Promise<InstallSnapshotResponse> {
    const { data, meta } = snap;
    const crc32 = CRC32.buf(data);
    const size = Math.max(1, this.deps.chunkBytes);
    for (let offset = 0; ; offset += size) {
      const piece = data.subarray(offset, Math.min(data.length, offset + size));
      const done = offset + piece.length >= data.length;
      const body: InstallSnapshotBody = {
        term: m.term,
        leader_id: m.leaderId,
        leader_url: this.deps.advertiseUrl,
        last_included_index: meta.index,
        last_included_term: meta.term,
        config: meta.config,
        offset,
        data: Buffer.from(piece).toString('base64'),
        done,
        total_bytes: data.length,
        crc32,
      };
      const raw = await this.deps.post(m.to, body, `${this.deps.selfId}.s${++this.seq}`);
      this.chunksSent++;
      const c = parseWire(InstallSnapshotReplySchema, raw);
      if (!c.ok) throw new Error(`${m.to} answered install_snapshot outside the contract: ${c.detail}`);
      const reply = c.value;
      const base = { type: 'install_snapshot_response', from: m.to, to: m.from } as const;
      // Figure 13 step 1: a follower in a later term refuses; the core steps down on its term.
      if (reply.term > m.term) return { ...base, term: reply.term, matchIndex: 0 };
      if (done) {
        if (reply.match_index === undefined) throw new Error(`${m.to} did not say how far its log matches`);
        this.sent++;
        return { ...base, term: reply.term, matchIndex: reply.match_index };
      }
      if (reply.bytes_received !== offset + piece.length) {
        throw new Error(`${m.to} holds ${reply.bytes_received} bytes, expected ${offset + piece.length}`);
      }
    }
  }
}
