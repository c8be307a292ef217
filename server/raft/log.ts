// The replicated log as one node holds it in memory (Figure 2, "log[]").
// Indexes are 1-based; index 0 is the empty prefix with term 0, so every
// consistency check has a well-defined "previous entry".

import type { Entry } from './types.ts';

export class RaftLog {
  private readonly items: Entry[];

  constructor(entries: Entry[] = []) {
    this.items = entries.map((e) => ({ ...e }));
  }

  lastIndex(): number {
    return this.items.length;
  }

  lastTerm(): number {
    return this.termAt(this.items.length);
  }

  /** The term of the entry at `index`; 0 for index 0; -1 when the log has no such entry. */
  termAt(index: number): number {
    if (index === 0) return 0;
    const entry = this.items[index - 1];
    return entry === undefined ? -1 : entry.term;
  }

  /** True when this log holds an entry at `index` with `term` (§5.3 consistency check). */
  matches(index: number, term: number): boolean {
    return index >= 0 && index <= this.items.length && this.termAt(index) === term;
  }

  entry(index: number): Entry | undefined {
    return this.items[index - 1];
  }

  /** A copy of entries from..toInclusive, clipped to what the log holds. */
  slice(from: number, toInclusive: number): Entry[] {
    const lo = Math.max(1, from);
    const hi = Math.min(this.items.length, toInclusive);
    if (hi < lo) return [];
    return this.items.slice(lo - 1, hi).map((e) => ({ ...e }));
  }

  /** Appends entries that continue the log exactly at lastIndex() + 1. */
  append(entries: Entry[]): void {
    for (const e of entries) {
      if (e.index !== this.items.length + 1) {
        throw new RangeError(`append at ${e.index} would leave a gap after ${this.items.length}`);
      }
      this.items.push({ ...e });
    }
  }

  /** Deletes the entry at `index` and all that follow it (§5.3: a conflicting suffix). */
  truncateFrom(index: number): void {
    if (index <= this.items.length) this.items.length = Math.max(0, index - 1);
  }

  /** The first index of the run of entries with `term` that contains `index` (fast back-up hint). */
  firstIndexOfTermAt(index: number): number {
    const term = this.termAt(index);
    let i = index;
    while (i > 1 && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** The last index holding an entry of `term`, or 0 if there is none. Terms never decrease along a log. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.items.length; i >= 1; i--) {
      const t = this.termAt(i);
      if (t === term) return i;
      if (t < term) return 0;
    }
    return 0;
  }
}
