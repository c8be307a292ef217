// The membership actions of a backend whose nodes are fixed (a Compose file's five containers, a
// swarm stack's five services): each refuses, saying why and where lessons 14 and 15 run instead.

import type { ClusterBackend } from './backend.ts';

type MembershipActions = Pick<ClusterBackend, 'wipe' | 'addNode' | 'promote' | 'removeNode'>;

/** `why`: what fixes the nodes, e.g. "it drives the Compose file's five containers". */
export function fixedMembership(backend: string, why: string): MembershipActions {
  const refuse = async (what: string): Promise<never> => {
    throw new Error(
      `the ${backend} backend cannot ${what}: ${why}. Use the local backend (--backend local) for lessons 14 and 15`,
    );
  };
  return {
    wipe: () => refuse('wipe a node'),
    addNode: () => refuse('add a node'),
    promote: () => refuse('promote a node'),
    removeNode: () => refuse('remove a node'),
  };
}
