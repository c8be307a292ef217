// The Raft switches a lesson set on the cluster (`prevote off`, `reads unsafe_local`…), kept by a
// backend so a node restarted or resumed later gets them too, and forgotten by `reset` (a fresh
// cluster is a default one: PreVote, CheckQuorum, ReadIndex).

import type { SwitchesBody } from '../../contract/raft-switches.ts';

export class RaftSwitchesState {
  private set: SwitchesBody = {};

  /** Records switches just sent to every node. */
  merge(change: SwitchesBody): void {
    this.set = { ...this.set, ...change };
  }

  /** What a node that (re)starts must be told, or null when the lesson changed nothing. */
  forNewProcess(): SwitchesBody | null {
    return Object.keys(this.set).length === 0 ? null : { ...this.set };
  }

  /** The body that puts every switch a lesson changed back to the node's default. */
  defaults(): SwitchesBody | null {
    if (Object.keys(this.set).length === 0) return null;
    const d: SwitchesBody = {};
    if (this.set.pre_vote !== undefined) d.pre_vote = true;
    if (this.set.check_quorum !== undefined) d.check_quorum = true;
    if (this.set.read_mode !== undefined) d.read_mode = 'read_index';
    return d;
  }

  clear(): void {
    this.set = {};
  }
}
