// Majorities: both elections (§5.2) and commitment (§5.3) need "more than half of the
// cluster", counting the node itself.

import type { NodeId } from './types.ts';

/** The smallest number of nodes that is a majority of a cluster of `size`. */
export function majority(size: number): number {
  return Math.floor(size / 2) + 1;
}

/**
 * The highest index stored on a majority: sort every member's matchIndex (the leader's
 * own last index included) and take the one a majority has reached.
 */
export function quorumIndex(matchIndexes: number[]): number {
  const sorted = [...matchIndexes].sort((a, b) => b - a);
  return sorted[majority(sorted.length) - 1] ?? 0;
}

/** Granted and refused votes of one election; each voter counts once (§5.2). */
export class VoteTally {
  private readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly clusterSize: number) {}

  record(voter: NodeId, granted: boolean): void {
    if (!this.votes.has(voter)) this.votes.set(voter, granted);
  }

  granted(): number {
    let n = 0;
    for (const g of this.votes.values()) if (g) n++;
    return n;
  }

  won(): boolean {
    return this.granted() >= majority(this.clusterSize);
  }
}
