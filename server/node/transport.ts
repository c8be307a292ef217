// Outgoing RPCs to peers: one HTTP POST per message over kept-alive connections, with a
// timeout. A failure of any kind (refused, reset, timeout, non-200, unreadable reply) is
// reported as an RpcFailure naming the reason, and the caller tells the core the peer is unreachable.
//
// Why node:http and not fetch: a leader sends hundreds of RPCs a second, and on Node 20
// fetch (undici) measured about 4x the CPU per request of http.request with a keep-alive
// agent (500-800 µs vs 115-190 µs per loopback round trip, client+server) — on a 2-core
// machine that is the cluster's throughput. Deno provides node:http as well.

import http from 'node:http';
import type { LossReason } from '../contract/node-events.ts';
import type { RpcName } from '../contract/raft-rpc.ts';
import type { PeerConfig } from './config.ts';

const MAX_REPLY_BYTES = 1024 * 1024;

/** An RPC that got no usable answer, and why (the picture marks where the message died). */
export class RpcFailure extends Error {
  constructor(
    message: string,
    readonly reason: LossReason,
  ) {
    super(message);
  }
}

/** A socket error as a failure: the peer is not there (refused, reset, unreachable). */
function failureOf(peer: string, err: Error): RpcFailure {
  return err instanceof RpcFailure ? err : new RpcFailure(`${peer}: ${err.message}`, 'peer_down');
}

export class Transport {
  private readonly urls: Map<string, URL>;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 16 });

  constructor(
    private readonly selfId: string,
    peers: readonly PeerConfig[],
    private readonly timeoutMs: number,
  ) {
    this.urls = new Map(peers.map((p) => [p.id, new URL(p.url)]));
  }

  /** A configuration entry named where `peer` is (dissertation §4.1). */
  setAddress(peer: string, url: string): void {
    this.urls.set(peer, new URL(url));
  }

  /** Back to the addresses PEERS gave (/admin/reset forgets the configuration entries' ones). */
  resetAddresses(peers: readonly PeerConfig[]): void {
    this.urls.clear();
    for (const p of peers) this.urls.set(p.id, new URL(p.url));
  }

  urlOf(peer: string): string | undefined {
    return this.urls.get(peer)?.origin;
  }

  /** POSTs `body` to the peer's /<rpc>; resolves with the parsed JSON reply. */
  call(peer: string, rpc: RpcName, body: unknown, rpcId: string): Promise<unknown> {
    const base = this.urls.get(peer);
    if (base === undefined) return Promise.reject(new RpcFailure(`no address for peer ${peer}`, 'peer_down'));
    const data = new TextEncoder().encode(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path: `/${rpc}`,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': data.length,
            // Peers identify themselves so a partition can drop requests by sender (admin.ts).
            'x-raft-from': this.selfId,
            'x-raft-rpc-id': rpcId,
          },
        },
        (res) => {
          const chunks: Uint8Array[] = [];
          let size = 0;
          res.on('data', (c: Uint8Array) => {
            size += c.length;
            if (size > MAX_REPLY_BYTES)
              req.destroy(new RpcFailure(`${peer} sent a reply over ${MAX_REPLY_BYTES} bytes`, 'refused'));
            else chunks.push(c);
          });
          res.on('error', (err) => reject(failureOf(peer, err)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              reject(
                new RpcFailure(
                  `${peer} answered ${rpc} with HTTP ${res.statusCode}: ${text.slice(0, 200)}`,
                  'refused',
                ),
              );
              return;
            }
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(
                new RpcFailure(
                  `${peer} answered ${rpc} with something that is not JSON: ${text.slice(0, 200)}`,
                  'refused',
                ),
              );
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new RpcFailure(`${peer} did not answer ${rpc} within ${this.timeoutMs} ms`, 'timed_out')),
      );
      req.on('error', (err) => {
        const failure = failureOf(peer, err);
        if (failure.reason !== 'refused') this.forgetIdle(base);
        reject(failure);
      });
      req.end(data);
    });
  }

  /**
   * After a timeout or a socket error, the peer's other idle kept-alive connections are suspect
   * too: a node whose container changed networks has a new address, and a connection to its old
   * one is not refused, it hangs — each stale socket reused in turn would cost a whole timeout
   * (up to 16 of them: the likely cause of a node left without appends for 10 s after a Docker
   * partition healed). Closing them makes the next request connect, and look the name up, afresh.
   */
  private forgetIdle(base: URL): void {
    const name = this.agent.getName({ host: base.hostname, port: base.port || 80 });
    for (const socket of this.agent.freeSockets[name] ?? []) socket.destroy();
  }

  /**
   * Closes every connection to every peer, idle or carrying a request (that request fails as
   * `peer_down`, as a reset connection would), so each next request connects afresh. Answers how
   * many were closed.
   */
  reconnect(): number {
    let closed = 0;
    for (const pool of [this.agent.freeSockets, this.agent.sockets])
      for (const sockets of Object.values(pool))
        for (const socket of sockets ?? []) {
          socket.destroy();
          closed++;
        }
    return closed;
  }

  close(): void {
    this.agent.destroy();
  }
}
