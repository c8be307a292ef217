// The replicated log as one node holds it in memory (Figure 2, "log[]"), after the snapshot
// that replaced its prefix (paper §7). Indexes are 1-based; the snapshot's last index plays
// the part of index 0 (term 0) in an uncompacted log: every consistency check has a
// well-defined "previous entry". The log also knows the configuration in effect: the latest
// configuration entry in it, committed or not (dissertation §4.1), else the snapshot's.

import { entryBytes } from './entry-size.ts';
import type { Configuration, Entry, SnapshotMeta } from './types.ts';

export class RaftLog {
  private items: Entry[];
  /** entryBytes of each item, computed once when a leader first asks, for batching by size. */
  private sizes: (number | undefined)[];
  private snap: SnapshotMeta;
  /** Indexes of the configuration entries among `items`, ascending. */
  private configIndexes: number[] = [];

  /** `entries` must start right after `snapshot.index` (see RaftLog.recover for what a disk holds). */
  constructor(snapshot: SnapshotMeta, entries: Entry[] = []) {
    this.snap = cloneMeta(snapshot);
    this.items = [];
    this.sizes = [];
    this.append(entries);
  }

  /**
   * Builds the log a restarted node holds from what its shell persisted: entries at or below the
   * snapshot are ignored. A stored suffix is kept if it continues the snapshot (Figure 13 step
   * 6: the entry at the snapshot's index has its term, or the suffix starts right after it);
   * otherwise (a crash between writing a received snapshot and cutting the log) it is dropped,
   * together with the conflicting entry at the snapshot's index, so that no later restart can
   * mistake the old entries for a continuation. `droppedFrom` is then the first stored index
   * the shell must delete.
   */
  static recover(snapshot: SnapshotMeta, stored: Entry[]): { log: RaftLog; droppedFrom?: number } {
    const after = stored.filter((e) => e.index > snapshot.index);
    const at = stored.find((e) => e.index === snapshot.index);
    if (at !== undefined && at.term !== snapshot.term)
      return { log: new RaftLog(snapshot), droppedFrom: at.index };
    if (after.length === 0) return { log: new RaftLog(snapshot) };
    if (at !== undefined || after[0]!.index === snapshot.index + 1)
      return { log: new RaftLog(snapshot, after) };
    return { log: new RaftLog(snapshot), droppedFrom: after[0]!.index };
  }

  snapshotMeta(): SnapshotMeta {
    return cloneMeta(this.snap);
  }

  /** lastIncludedIndex of the snapshot (0 when there is none). */
  snapshotIndex(): number {
    return this.snap.index;
  }

  /** The first index the log still holds an entry for. */
  firstIndex(): number {
    return this.snap.index + 1;
  }

  lastIndex(): number {
    return this.snap.index + this.items.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex());
  }

  /**
   * The term of the entry at `index`: 0 for index 0, the snapshot's term at its last index,
   * -1 when the log has no such entry (compacted away or beyond the end).
   */
  termAt(index: number): number {
    if (index === 0) return 0;
    if (index === this.snap.index) return this.snap.term;
    const entry = this.items[index - this.snap.index - 1];
    return entry === undefined || index < this.snap.index ? -1 : entry.term;
  }

  /** True when this log holds an entry at `index` with `term` (§5.3 consistency check). */
  matches(index: number, term: number): boolean {
    return index >= 0 && term >= 0 && this.termAt(index) === term;
  }

  entry(index: number): Entry | undefined {
    return index > this.snap.index ? this.items[index - this.snap.index - 1] : undefined;
  }

  /** Wire size of the entry at `index` (see entryBytes); 0 if the log does not hold it. */
  bytesAt(index: number): number {
    const k = index - this.snap.index - 1;
    const item = k >= 0 ? this.items[k] : undefined;
    if (item === undefined) return 0;
    this.sizes[k] ??= entryBytes(item);
    return this.sizes[k];
  }

  /** A copy of entries from..toInclusive, clipped to what the log holds. */
  slice(from: number, toInclusive: number): Entry[] {
    const lo = Math.max(this.firstIndex(), from);
    const hi = Math.min(this.lastIndex(), toInclusive);
    if (hi < lo) return [];
    const base = this.snap.index + 1;
    return this.items.slice(lo - base, hi - base + 1).map(cloneEntry);
  }

  /** Appends entries that continue the log exactly at lastIndex() + 1. */
  append(entries: Entry[]): void {
    for (const e of entries) {
      if (e.index !== this.lastIndex() + 1) {
        throw new RangeError(`append at ${e.index} would leave a gap after ${this.lastIndex()}`);
      }
      const copy = cloneEntry(e);
      this.items.push(copy);
      this.sizes.push(undefined);
      if (copy.type === 'config') this.configIndexes.push(copy.index);
    }
  }

  /** Deletes the entry at `index` and all that follow it (§5.3: a conflicting suffix). */
  truncateFrom(index: number): void {
    if (index <= this.snap.index) {
      throw new RangeError(`cannot delete entry ${index}: it is in the snapshot up to ${this.snap.index}`);
    }
    if (index > this.lastIndex()) return;
    const keep = index - this.snap.index - 1;
    this.items.length = keep;
    this.sizes.length = keep;
    while ((this.configIndexes.at(-1) ?? 0) >= index) this.configIndexes.pop();
  }

  /**
   * Paper §7: the state machine holds everything up to `index`, so the prefix is replaced by a
   * snapshot that remembers its last index, term and configuration.
   */
  compact(index: number): void {
    if (index <= this.snap.index) return;
    if (index > this.lastIndex())
      throw new RangeError(`cannot compact to ${index}: the log ends at ${this.lastIndex()}`);
    const drop = index - this.snap.index;
    this.snap = { index, term: this.termAt(index), config: this.configurationAt(index) };
    this.items.splice(0, drop);
    this.sizes.splice(0, drop);
    this.configIndexes = this.configIndexes.filter((i) => i > index);
  }

  /** Figure 13 step 7: the whole log is replaced by a snapshot from the leader. */
  restore(meta: SnapshotMeta): void {
    this.snap = cloneMeta(meta);
    this.items = [];
    this.sizes = [];
    this.configIndexes = [];
  }

  /** Dissertation §4.1: the latest configuration in the log, committed or not. */
  configuration(): Configuration {
    return this.configurationAt(this.lastIndex());
  }

  /** The configuration in effect at `index`: the latest configuration entry at or below it. */
  configurationAt(index: number): Configuration {
    for (let k = this.configIndexes.length - 1; k >= 0; k--) {
      const i = this.configIndexes[k]!;
      if (i <= index) return cloneConfig(this.entry(i)!.config!);
    }
    return cloneConfig(this.snap.config);
  }

  /** Index of the earliest configuration entry in the log, if any. */
  firstConfigIndex(): number | undefined {
    return this.configIndexes[0];
  }

  /** Index of the latest configuration entry in the log; the snapshot's index if there is none. */
  lastConfigIndex(): number {
    return this.configIndexes.at(-1) ?? this.snap.index;
  }

  /** The first index of the run of entries with `term` that contains `index` (fast back-up hint). */
  firstIndexOfTermAt(index: number): number {
    const term = this.termAt(index);
    let i = index;
    while (i > this.firstIndex() && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** The last index holding an entry of `term`, or 0 if there is none. Terms never decrease along a log. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex(); i >= this.snap.index && i >= 1; i--) {
      const t = this.termAt(i);
      if (t === term) return i;
      if (t < term) return 0;
    }
    return 0;
  }
}

export function cloneConfig(c: Configuration): Configuration {
  const copy: Configuration = { voters: [...c.voters], learners: [...c.learners] };
  if (c.addresses !== undefined) copy.addresses = { ...c.addresses };
  return copy;
}

function cloneMeta(m: SnapshotMeta): SnapshotMeta {
  return { index: m.index, term: m.term, config: cloneConfig(m.config) };
}

function cloneEntry(e: Entry): Entry {
  const copy = { ...e };
  if (e.config !== undefined) copy.config = cloneConfig(e.config);
  return copy;
}
