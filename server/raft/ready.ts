// Bookkeeping for Ready: what of the core's state has already been handed to the shell,
// so each ready() carries only what is new, and nothing is persisted or applied twice.

import type { RaftLog } from './log.ts';
import type { HardState, Message, Ready, SoftState } from './types.ts';

/** The parts of the core's state a Ready is computed from. */
export interface ReadySource {
  hardState: HardState;
  softState: SoftState;
  log: RaftLog;
  commitIndex: number;
}

export class ReadyTracker {
  private messages: Message[] = [];
  /** Every log entry up to here has been handed out for persisting. */
  private handedLogTo: number;
  /** Smallest index deleted from the handed-out part of the log since the last ready(). */
  private truncateFrom: number | undefined;
  /** Every committed entry up to here has been handed out for applying. */
  private handedCommitTo: number;
  private handedHard: HardState;
  private handedSoft: SoftState;

  constructor(source: ReadySource, applied: number) {
    this.handedLogTo = source.log.lastIndex();
    this.handedCommitTo = applied;
    this.handedHard = { ...source.hardState };
    this.handedSoft = { ...source.softState };
  }

  send(message: Message): void {
    this.messages.push(message);
  }

  /** The log was cut at `index`: if the shell already has entries there, it must delete them too. */
  noteTruncated(index: number): void {
    if (index <= this.handedLogTo) {
      this.truncateFrom = Math.min(this.truncateFrom ?? index, index);
      this.handedLogTo = index - 1;
    }
  }

  has(s: ReadySource): boolean {
    return (
      this.messages.length > 0 ||
      this.truncateFrom !== undefined ||
      s.log.lastIndex() > this.handedLogTo ||
      s.commitIndex > this.handedCommitTo ||
      !sameHard(this.handedHard, s.hardState) ||
      !sameSoft(this.handedSoft, s.softState)
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
    if (this.truncateFrom !== undefined) ready.truncateFrom = this.truncateFrom;
    if (!sameSoft(this.handedSoft, s.softState)) ready.softState = { ...s.softState };
    this.messages = [];
    this.truncateFrom = undefined;
    this.handedLogTo = s.log.lastIndex();
    this.handedCommitTo = Math.max(this.handedCommitTo, s.commitIndex);
    this.handedHard = { ...s.hardState };
    this.handedSoft = { ...s.softState };
    return ready;
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.currentTerm === b.currentTerm && a.votedFor === b.votedFor;
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId && a.commitIndex === b.commitIndex;
}
