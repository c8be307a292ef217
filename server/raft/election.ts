// Leader election rules (§5.2, §5.4.1) that do not depend on a node's role.

import type { RaftLog } from './log.ts';

/**
 * §5.4.1: a voter refuses a candidate whose log is less up-to-date than its own:
 * the later last term wins; with equal last terms, the longer log wins.
 */
export function candidateIsUpToDate(log: RaftLog, lastLogIndex: number, lastLogTerm: number): boolean {
  const myTerm = log.lastTerm();
  if (lastLogTerm !== myTerm) return lastLogTerm > myTerm;
  return lastLogIndex >= log.lastIndex();
}

/**
 * §5.2: election timeouts are chosen randomly from a fixed interval so that split votes
 * are rare. `random` is injected (the core has no randomness of its own).
 */
export function randomizedElectionTicks(min: number, max: number, random: () => number): number {
  const span = Math.max(0, max - min);
  return min + Math.min(span, Math.floor(random() * (span + 1)));
}
