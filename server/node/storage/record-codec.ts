// The write-ahead log's framing: each record is [u32 LE length][i32 LE CRC-32 of payload][payload].
// Length + checksum let a reader tell a complete record from a torn one (a crash mid-write)
// or from damaged bytes, so nothing is ever half-read. The state machine's snapshots use the
// same framing (server/statemachine/snapshot.ts).

import CRC32 from 'crc-32';

export const HEADER_BYTES = 8;
/**
 * A record never exceeds this; a larger length field means the bytes are not a record header.
 * 2^28: below 2^29, so four bytes of JSON text (every byte >= 0x20, see findIntactRecord) can
 * never read as a plausible length.
 */
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
  | { kind: 'invalid'; reason: string }
  | { kind: 'end' };

/** Reads the record starting at `offset` of `buf`. */
export function readRecord(buf: Uint8Array, offset: number): ScanResult {
  const left = buf.length - offset;
  if (left === 0) return { kind: 'end' };
  if (left < HEADER_BYTES) return { kind: 'invalid', reason: `only ${left} bytes of a record header` };
  const view = new DataView(buf.buffer, buf.byteOffset + offset, HEADER_BYTES);
  const length = view.getUint32(0, true);
  if (length === 0 || length > MAX_RECORD_BYTES)
    return { kind: 'invalid', reason: `impossible record length ${length}` };
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length)
    return { kind: 'invalid', reason: `record of ${length} bytes cut short after ${left - HEADER_BYTES}` };
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  if (CRC32.buf(payload) !== view.getInt32(4, true)) return { kind: 'invalid', reason: 'checksum mismatch' };
  return { kind: 'record', payload, end };
}

/**
 * The first offset at or after `from` where an intact record starts: a plausible length that
 * fits in `buf`, a payload starting with `firstByte`, a matching CRC-32, and a payload that
 * `decodes` accepts. Null if there is none. Used to tell a torn tail (nothing intact after the
 * damage) from corruption (an intact record after it).
 *
 * How likely is a false find in bytes that are not a record? A WAL payload is JSON text, in
 * which every byte is >= 0x20 (JSON escapes control characters; UTF-8 multi-byte sequences are
 * >= 0x80), so any four of its bytes read as a length >= 2^29 > MAX_RECORD_BYTES: a torn
 * record's surviving pages can never contain a plausible header. Zero-filled space has length
 * 0. Only random garbage could, and there each offset must match a 32-bit CRC (2^-32), the
 * first payload byte (2^-8), and then decode as a well-formed record: below 2^-40 per offset,
 * under 2^-12 even for 256 MiB of garbage.
 */
export function findIntactRecord(
  buf: Uint8Array,
  from: number,
  firstByte: number,
  decodes: (payload: Uint8Array) => boolean,
): { offset: number; end: number } | null {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  for (let offset = from; offset + HEADER_BYTES < buf.length; offset++) {
    const length = view.getUint32(offset, true);
    if (length === 0 || length > MAX_RECORD_BYTES) continue;
    const end = offset + HEADER_BYTES + length;
    if (end > buf.length || buf[offset + HEADER_BYTES] !== firstByte) continue;
    const payload = buf.subarray(offset + HEADER_BYTES, end);
    if (CRC32.buf(payload) === view.getInt32(offset + 4, true) && decodes(payload)) return { offset, end };
  }
  return null;
}
