// Message-level control of a whole cluster through each node's /admin API, the same for every
// backend (local processes, Docker containers, remote nodes): hold and release the network,
// read every outbox, deliver or drop held requests, fault one directed link or every link, stop
// or fire election timers. It remembers what it set, so that a restarted or resumed node gets
// it again, and forgets it on heal and reset.

import { type HeldMessage, type LinkBody, OutboxViewSchema } from '../../contract/admin.ts';
import { adminGet, adminPost } from './admin-client.ts';

/** A held request and the node whose outbox holds it. */
export interface HeldOnNode extends HeldMessage {
  from: string;
}

/** What a link does, as the nodes' /admin/link takes it (all zero = a perfect link). */
export type LinkFaultsBody = Omit<LinkBody, 'peers'>;

export interface AdminTarget {
  /** The members' ids and the URLs the lab reaches them at. */
  nodes(): { id: string; url: string }[];
  /** The nodes' ADMIN_TOKEN; throws saying how to provide one when there is none. */
  token(): string;
  /** Nodes that can answer an /admin call now (not killed, not frozen). */
  reachable(): string[];
}

/** Oldest first; requests held in the same millisecond by one node keep their numbering ("3.17" before "3.18"). */
const order = (a: HeldOnNode, b: HeldOnNode) =>
  a.held_at - b.held_at || a.from.localeCompare(b.from) || seqOf(a.id) - seqOf(b.id);
const seqOf = (id: string) => Number(/\.(\d+)/.exec(id)?.[1] ?? 0);

export class NetworkControl {
  private holding = false;
  /** `from>to` → what that directed link does. */
  private readonly links = new Map<string, LinkFaultsBody>();
  private readonly pausedTimers = new Set<string>();

  constructor(private readonly target: AdminTarget) {}

  /** True when something set here would have to be undone to leave the cluster as it was. */
  get changed(): boolean {
    return this.holding || this.links.size > 0 || this.pausedTimers.size > 0;
  }

  get held(): boolean {
    return this.holding;
  }

  /** Every reachable node holds (true) or releases, oldest first (false), its outgoing requests. */
  async hold(held: boolean): Promise<void> {
    await this.each(this.target.reachable(), (id) => this.post(id, 'hold', { held }));
    this.holding = held;
  }

  /** What every reachable node holds, oldest first across the cluster. */
  async heldMessages(): Promise<HeldOnNode[]> {
    const token = this.target.token();
    const all = await Promise.all(
      this.target.reachable().map(async (id) => {
        const view = await adminGet(this.urlOf(id), token, 'outbox', OutboxViewSchema);
        return view.messages.map((m) => ({ ...m, from: id }));
      }),
    );
    return all.flat().sort(order);
  }

  /** Sends these held requests on (each node delivers its own, oldest first); the nodes' details. */
  deliver(messages: readonly HeldOnNode[]): Promise<string[]> {
    return this.byNode(messages, 'deliver');
  }

  /** Drops these held requests: each is lost ("dropped"). */
  drop(messages: readonly HeldOnNode[]): Promise<string[]> {
    return this.byNode(messages, 'drop');
  }

  /** What the link `from`→`to` does from now on (all zero: a perfect link). */
  async link(from: string, to: string, faults: LinkFaultsBody): Promise<void> {
    await this.post(from, 'link', { peers: [to], ...faults });
    this.remember(from, to, faults);
  }

  /** The same faults on every link of every reachable node ("slow the wires"). */
  async wires(faults: LinkFaultsBody): Promise<void> {
    const ids = this.target.nodes().map((n) => n.id);
    await this.each(this.target.reachable(), (id) => this.post(id, 'link', { ...faults }));
    for (const from of ids) for (const to of ids) if (from !== to) this.remember(from, to, faults);
  }

  /** Stops (or restarts) the election timers of these nodes; the nodes run on. */
  async timers(ids: readonly string[], paused: boolean): Promise<void> {
    await this.each(ids, (id) => this.post(id, 'timer', { paused }));
    for (const id of ids) {
      if (paused) this.pausedTimers.add(id);
      else this.pausedTimers.delete(id);
    }
  }

  /** Fires these nodes' election timers at once (RaftScope's "time out"). */
  async timeout(ids: readonly string[]): Promise<void> {
    await this.each(ids, (id) => this.post(id, 'timeout'));
  }

  /** Heals every reachable node's message-level faults (and its cuts: the node's /admin/heal). */
  async heal(): Promise<void> {
    await this.each(this.target.reachable(), (id) => this.post(id, 'heal'));
    this.forget();
  }

  /**
   * Every reachable node closes its connections to peers (POST /admin/reconnect), after
   * containers changed networks and so addresses. Best effort: a node that does not answer
   * falls back on its own RPC timeout, which also closes the stale connections.
   */
  async reconnect(): Promise<void> {
    await Promise.allSettled(this.target.reachable().map((id) => this.reconnectNode(id)));
  }

  /** One node closes its connections to peers (best effort, as `reconnect`). */
  async reconnectNode(id: string): Promise<void> {
    await this.post(id, 'reconnect').catch(() => undefined);
  }

  /** Forgets what was set (after reset: every node is a fresh process). */
  forget(): void {
    this.holding = false;
    this.links.clear();
    this.pausedTimers.clear();
  }

  /** Gives a restarted or resumed node what the cluster has: the hold, its links, its timer. */
  async reapply(id: string): Promise<void> {
    if (!this.changed) return;
    if (this.holding) await this.post(id, 'hold', { held: true });
    await this.reapplyLinks(id);
    if (this.pausedTimers.has(id)) await this.post(id, 'timer', { paused: true });
  }

  /**
   * Gives a resumed node exactly what the cluster has, replacing what it had when it froze,
   * without /admin/heal (which would also lift its cuts for a moment): the hold as it is now
   * (requests it held are sent if the cluster no longer holds, as `release` would have), every
   * link perfect and then the remembered ones, its timer.
   */
  async replaceOn(id: string): Promise<void> {
    await this.post(id, 'hold', { held: this.holding });
    await this.post(id, 'link', {});
    await this.reapplyLinks(id);
    await this.post(id, 'timer', { paused: this.pausedTimers.has(id) });
  }

  private async reapplyLinks(id: string): Promise<void> {
    for (const [key, faults] of this.links) {
      const [from, to] = key.split('>') as [string, string];
      if (from === id) await this.post(id, 'link', { peers: [to], ...faults });
    }
  }

  private remember(from: string, to: string, faults: LinkFaultsBody): void {
    const perfect = Object.values(faults).every((v) => v === undefined || v === 0);
    if (perfect) this.links.delete(`${from}>${to}`);
    else this.links.set(`${from}>${to}`, { ...faults });
  }

  private async byNode(messages: readonly HeldOnNode[], action: 'deliver' | 'drop'): Promise<string[]> {
    const ids = new Map<string, string[]>();
    for (const m of messages) ids.set(m.from, [...(ids.get(m.from) ?? []), m.id]);
    const details = await Promise.all(
      [...ids].map(async ([from, list]) => (await this.post(from, action, { ids: list }))?.detail ?? ''),
    );
    return details.filter((d) => d !== '');
  }

  private post(id: string, action: string, body: unknown = {}) {
    return adminPost(this.urlOf(id), this.target.token(), action, body);
  }

  private async each(ids: readonly string[], f: (id: string) => Promise<unknown>): Promise<void> {
    await Promise.all(ids.map(f));
  }

  private urlOf(id: string): string {
    const node = this.target.nodes().find((n) => n.id === id);
    if (!node) throw new Error(`there is no node${id} in this cluster`);
    return node.url;
  }
}
