// The write-ahead log's framing: each record is [u32 LE length][i32 LE CRC-32 of payload][payload].
// Length + checksum let a reader tell a complete record from a torn one (a crash mid-write)
// or from damaged bytes, so nothing is ever half-read.

import CRC32 from 'crc-32';

export const HEADER_BYTES = 8;
/** A record never exceeds this; a larger length field means the bytes are not a record header. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setInt32(4, CRC32.buf(payload), true);
  out.set(payload, HEADER_BYTES);
  return out;
}

export type ScanResult =
  | { kind: 'record'; payload: Uint8Array; end: number }
  /** Not a valid record. `reachesEnd` = the damage could be a torn final write (nothing valid follows). */
  | { kind: 'invalid'; reason: string; reachesEnd: boolean }
  | { kind: 'end' };

/** Reads the record starting at `offset` of `buf`. */
export function readRecord(buf: Uint8Array, offset: number): ScanResult {
  const left = buf.length - offset;
  if (left === 0) return { kind: 'end' };
  if (left < HEADER_BYTES)
    return { kind: 'invalid', reason: `only ${left} bytes of a record header`, reachesEnd: true };
  const view = new DataView(buf.buffer, buf.byteOffset + offset, HEADER_BYTES);
  const length = view.getUint32(0, true);
  const crc = view.getInt32(4, true);
  const zeroTail = () => buf.subarray(offset).every((b) => b === 0);
  if (length === 0 || length > MAX_RECORD_BYTES) {
    // A file extended by a crash before its data landed reads as zeros: still a torn tail.
    return { kind: 'invalid', reason: `impossible record length ${length}`, reachesEnd: zeroTail() };
  }
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) {
    return {
      kind: 'invalid',
      reason: `record of ${length} bytes cut short at ${left - HEADER_BYTES}`,
      reachesEnd: true,
    };
  }
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  if (CRC32.buf(payload) !== crc) {
    return { kind: 'invalid', reason: 'checksum mismatch', reachesEnd: end === buf.length || zeroTail() };
  }
  return { kind: 'record', payload, end };
}
