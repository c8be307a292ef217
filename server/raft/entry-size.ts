// How big an entry is on the wire, so a leader can bound an append_entries by bytes as well
// as by count (etcd's MaxSizePerMsg): the receiver refuses bodies over its limit, and a batch
// of large entries counted only by number would be refused forever (issue 10, fault 3).

import type { Entry } from './types.ts';

/**
 * Bytes `e` takes inside a JSON array of entries: the UTF-8 length of JSON.stringify(e) plus
 * one for the separating comma. Exact for the node's wire format, whatever the command holds
 * (escaped quotes and control characters, multi-byte characters, lone surrogates).
 */
export function entryBytes(e: Entry): number {
  return utf8Length(JSON.stringify(e)) + 1;
}

/** UTF-8 length of a string as TextEncoder would encode it (a lone surrogate becomes 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
