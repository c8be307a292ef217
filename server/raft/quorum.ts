// Majorities: elections (§5.2), commitment (§5.3), CheckQuorum (dissertation §6.2) and
// ReadIndex (§6.4) all need "more than half of the voters" of the configuration in effect
// (dissertation §4.1). Learners never count (§4.2.1).

import type { NodeId } from './types.ts';

/** The smallest number of voters that is a majority of `size` voters. */
export function majority(size: number): number {
  return Math.floor(size / 2) + 1;
}

/**
 * The highest index stored on a majority of voters: sort every voter's matchIndex (the
 * leader's own last index included when it is a voter) and take the one a majority has reached.
 */
export function quorumIndex(voters: readonly NodeId[], matchIndex: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const sorted = voters.map(matchIndex).sort((a, b) => b - a);
  return sorted[majority(sorted.length) - 1] ?? 0;
}

/** True when the voters for which `yes` holds form a majority. */
export function isQuorum(voters: readonly NodeId[], yes: (id: NodeId) => boolean): boolean {
  let n = 0;
  for (const v of voters) if (yes(v)) n++;
  return voters.length > 0 && n >= majority(voters.length);
}

/** Granted and refused votes of one election; each voter counts once, non-voters not at all (§5.2, §4.2.1). */
export class VoteTally {
  private readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly voters: readonly NodeId[]) {}

  record(voter: NodeId, granted: boolean): void {
    if (this.voters.includes(voter) && !this.votes.has(voter)) this.votes.set(voter, granted);
  }

  granted(): number {
    let n = 0;
    for (const g of this.votes.values()) if (g) n++;
    return n;
  }

  won(): boolean {
    return isQuorum(this.voters, (v) => this.votes.get(v) === true);
  }
}
