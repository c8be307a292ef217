// Whom a node talks to (dissertation §4.1): the members of the configuration in effect, found at
// the addresses the configuration entries carry, or else at those PEERS gave at start. A node
// still accepts RPCs from every id it has known (PEERS and every configuration): the core
// processes messages whatever its configuration says, and a server being added or removed
// must still be heard (§4.2).

import type { Configuration, NodeId } from '../raft/types.ts';
import type { PeerConfig } from './config.ts';
import type { Transport } from './transport.ts';

export class PeerBook {
  private readonly urls = new Map<NodeId, string>();
  private members: NodeId[];

  constructor(
    private readonly selfId: NodeId,
    peers: readonly PeerConfig[],
    private readonly transport: Transport,
  ) {
    for (const p of peers) this.urls.set(p.id, p.url);
    this.members = peers.map((p) => p.id);
  }

  /** A new configuration is in effect: learn its addresses, talk to its members. */
  follow(c: Configuration): void {
    for (const [id, url] of Object.entries(c.addresses ?? {})) {
      if (id === this.selfId) continue;
      this.urls.set(id, url.replace(/\/+$/, ''));
      this.transport.setAddress(id, url);
    }
    const ids = [...c.voters, ...c.learners];
    // A joining server knows no configuration yet: it lists the PEERS it was given.
    if (ids.length > 0) this.members = ids.filter((id) => id !== this.selfId);
  }

  /** The other members of the configuration in effect, with their base URLs. */
  peers(): { id: NodeId; url: string }[] {
    return this.members.map((id) => ({ id, url: this.urls.get(id) ?? '' }));
  }

  urlOf(id: NodeId): string | undefined {
    return this.urls.get(id);
  }

  /** This node and every id it knows an address for. */
  knownIds(): NodeId[] {
    return [this.selfId, ...this.urls.keys()];
  }
}
