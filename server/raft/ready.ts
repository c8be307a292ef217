// Bookkeeping for Ready: what of the core's state has already been handed to the shell,
// so each ready() carries only what is new, and nothing is persisted or applied twice.

import type { RaftLog } from './log.ts';
import type { HardState, Message, ReadState, Ready, Snapshot, SoftState } from './types.ts';

/** The parts of the core's state a Ready is computed from. */
export interface ReadySource {
  hardState: HardState;
  softState: SoftState;
  log: RaftLog;
  commitIndex: number;
}

export class ReadyTracker {
  private messages: Message[] = [];
  private readStates: ReadState[] = [];
  private droppedReads: string[] = [];
  private snapshot: Snapshot | undefined;
  /** Every log entry up to here has been handed out for persisting. */
  private handedLogTo: number;
  /** Smallest index deleted from the handed-out part of the log since the last ready(). */
  private truncateFrom: number | undefined;
  /** Every committed entry up to here has been handed out for applying. */
  private handedCommitTo: number;
  private handedHard: HardState;
  private handedSoft: SoftState;
  /** The configuration last handed out, and a cheap key that changes whenever it may have. */
  private handedConfig: string;
  private handedConfigKey: ConfigKey;

  /** `droppedFrom`: at a restart, the first stored index the core did not keep (see RaftLog.recover). */
  constructor(source: ReadySource, applied: number, droppedFrom?: number) {
    this.handedLogTo = source.log.lastIndex();
    if (droppedFrom !== undefined) this.truncateFrom = droppedFrom;
    this.handedCommitTo = applied;
    this.handedHard = { ...source.hardState };
    this.handedSoft = { ...source.softState };
    this.handedConfig = JSON.stringify(source.log.configuration());
    this.handedConfigKey = configKey(source.log);
  }

  send(message: Message): void {
    this.messages.push(message);
  }

  readsConfirmed(states: ReadState[]): void {
    this.readStates.push(...states);
  }

  readsDropped(ids: string[]): void {
    this.droppedReads.push(...ids);
  }

  /** The log was cut at `index`: if the shell already has entries there, it must delete them too. */
  noteTruncated(index: number): void {
    if (index <= this.handedLogTo) {
      this.truncateFrom = Math.min(this.truncateFrom ?? index, index);
      this.handedLogTo = index - 1;
    }
  }

  /**
   * The log was replaced by a snapshot from the leader: the shell persists it, deletes what it
   * stored from the snapshot's index on (an entry there conflicts, or the core would have kept
   * the log), then what the snapshot replaces, restores the state machine from it, and applies
   * only what commits after it.
   */
  noteSnapshot(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    this.snapshot = snapshot;
    this.noteTruncated(index);
    this.handedLogTo = Math.max(this.handedLogTo, index);
    this.handedCommitTo = Math.max(this.handedCommitTo, index);
  }

  has(s: ReadySource): boolean {
    return (
      this.messages.length > 0 ||
      this.readStates.length > 0 ||
      this.droppedReads.length > 0 ||
      this.snapshot !== undefined ||
      this.truncateFrom !== undefined ||
      s.log.lastIndex() > this.handedLogTo ||
      s.commitIndex > this.handedCommitTo ||
      !sameHard(this.handedHard, s.hardState) ||
      !sameSoft(this.handedSoft, s.softState) ||
      this.configChanged(s.log)
    );
  }

  /** Hands out everything new and forgets it (the shell now owns it). */
  take(s: ReadySource): Ready {
    const ready: Ready = {
      entries: s.log.slice(this.handedLogTo + 1, s.log.lastIndex()),
      messages: this.messages,
      // Committed entries are always in the log, and every one of them is persisted by this
      // Ready at the latest, because the shell persists before it applies.
      committed: s.log.slice(this.handedCommitTo + 1, s.commitIndex),
    };
    if (!sameHard(this.handedHard, s.hardState)) ready.hardState = { ...s.hardState };
    if (this.snapshot !== undefined) ready.snapshot = this.snapshot;
    if (this.truncateFrom !== undefined) ready.truncateFrom = this.truncateFrom;
    if (!sameSoft(this.handedSoft, s.softState)) ready.softState = { ...s.softState };
    if (this.configChanged(s.log)) {
      ready.configuration = s.log.configuration();
      this.handedConfig = JSON.stringify(ready.configuration);
    }
    if (this.readStates.length > 0) ready.readStates = this.readStates;
    if (this.droppedReads.length > 0) ready.droppedReads = this.droppedReads;
    this.messages = [];
    this.readStates = [];
    this.droppedReads = [];
    this.snapshot = undefined;
    this.truncateFrom = undefined;
    this.handedLogTo = s.log.lastIndex();
    this.handedCommitTo = Math.max(this.handedCommitTo, s.commitIndex);
    this.handedHard = { ...s.hardState };
    this.handedSoft = { ...s.softState };
    this.handedConfigKey = configKey(s.log);
    return ready;
  }

  private configChanged(log: RaftLog): boolean {
    const key = configKey(log);
    const h = this.handedConfigKey;
    if (key.index === h.index && key.term === h.term && key.snapshot === h.snapshot) return false;
    if (JSON.stringify(log.configuration()) !== this.handedConfig) return true;
    this.handedConfigKey = key; // e.g. a compaction: same configuration, new snapshot index
    return false;
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.currentTerm === b.currentTerm && a.votedFor === b.votedFor;
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId && a.commitIndex === b.commitIndex;
}

/** Changes whenever the configuration in effect may have: a configuration entry came or went, or a snapshot replaced the log. */
interface ConfigKey {
  index: number;
  term: number;
  snapshot: number;
}

function configKey(log: RaftLog): ConfigKey {
  const index = log.lastConfigIndex();
  return { index, term: log.termAt(index), snapshot: log.snapshotIndex() };
}
