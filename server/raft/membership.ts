// Membership changes one server at a time (dissertation §4.1): each configuration differs
// from the previous one by a single server, so any majority of the old and any majority of
// the new overlap, and no two leaders can be elected in one term by disjoint majorities.
// New servers join as learners and are promoted once caught up (§4.2.1).

import type { Configuration, CoreConfig, MembershipChange, MembershipRefusal, NodeId } from './types.ts';

/**
 * The configuration before any is in the log: this server and its peers vote, unless this
 * server is listed among the learners; nothing at all for a server joining a running cluster.
 */
export function bootstrapConfiguration(cfg: CoreConfig): Configuration {
  if (cfg.joining) return { voters: [], learners: [] };
  const learners = [...new Set(cfg.learners ?? [])];
  const voters = [...new Set([cfg.id, ...cfg.peers])].filter((v) => !learners.includes(v));
  return { voters, learners };
}

export function isVoter(c: Configuration, id: NodeId): boolean {
  return c.voters.includes(id);
}

export function isMember(c: Configuration, id: NodeId): boolean {
  return c.voters.includes(id) || c.learners.includes(id);
}

/** Everyone the leader replicates to: voters and learners but itself. */
export function replicationTargets(c: Configuration, self: NodeId): NodeId[] {
  return [...c.voters, ...c.learners].filter((id) => id !== self);
}

export type PlannedChange =
  | { ok: true; next: Configuration }
  | { ok: false; reason: MembershipRefusal; detail: string };

/**
 * The configuration after `change`, or why it is not a single-server change of `current`.
 * The leader-side conditions (a commit in the term, one change at a time, a caught-up
 * learner) are checked by the core.
 */
export function planChange(current: Configuration, change: MembershipChange): PlannedChange {
  const { id } = change;
  const voters = [...current.voters];
  const learners = [...current.learners];
  const addresses = { ...current.addresses };
  switch (change.kind) {
    case 'add_learner':
      if (isMember(current, id)) {
        return refuse(
          'already_member',
          `node ${id} is already a ${isVoter(current, id) ? 'voter' : 'learner'}`,
        );
      }
      learners.push(id);
      if (change.address !== undefined) addresses[id] = change.address;
      break;
    case 'promote':
      if (!learners.includes(id)) {
        return isVoter(current, id)
          ? refuse('not_learner', `node ${id} is already a voter`)
          : refuse(
              'not_member',
              `node ${id} is not in the configuration: add it as a learner first (§4.2.1)`,
            );
      }
      learners.splice(learners.indexOf(id), 1);
      voters.push(id);
      break;
    case 'remove':
      if (!isMember(current, id)) return refuse('not_member', `node ${id} is not in the configuration`);
      if (voters.length === 1 && voters[0] === id) {
        return refuse(
          'last_voter',
          `node ${id} is the only voter: a cluster without voters cannot elect anyone`,
        );
      }
      if (voters.includes(id)) voters.splice(voters.indexOf(id), 1);
      else learners.splice(learners.indexOf(id), 1);
      delete addresses[id];
      break;
  }
  const next: Configuration = { voters, learners };
  if (Object.keys(addresses).length > 0) next.addresses = addresses;
  return { ok: true, next };
}

function refuse(reason: MembershipRefusal, detail: string): PlannedChange {
  return { ok: false, reason, detail };
}
