// Who is in the cluster, so that ids in requests can be checked at the door.
import { describeValue } from './wire-check.ts';

export interface Membership {
  selfId: string;
  memberIds: readonly string[];
}

/** Why `id` (sent in `field`) cannot name a peer of this node, or null when it can. */
export function notAPeer(m: Membership, field: string, id: string | number): string | null {
  const v = String(id);
  if (v === m.selfId) return `field '${field}' is ${v}, which is this node itself; name another node`;
  if (!m.memberIds.includes(v)) {
    return `field '${field}' is ${describeValue(v)}, not a member of this cluster (${m.memberIds.join(', ')})`;
  }
  return null;
}
