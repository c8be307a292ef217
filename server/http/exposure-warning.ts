// A server of this project listens on loopback unless told otherwise; one told to listen on
// another address says so loudly, because whoever reaches that address can use it (the lab runs
// requests against the cluster and can kill its nodes; a node accepts Raft RPCs from anyone).

import { isIP } from 'node:net';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, IPv4-mapped loopback, `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) !== 6) return false;
  // The URL parser writes an IPv6 address one way: ::1, ::ffff:7f00:1 for ::ffff:127.0.0.1.
  const n = new URL(`http://[${h}]/`).hostname.slice(1, -1);
  return n === '::1' || /^::ffff:7f[0-9a-f]{2}:/.test(n);
}

/**
 * The warning to print when `server` (e.g. "the lab") listens on `host`, or null on loopback.
 * `0.0.0.0` and `::` mean every interface of the machine.
 */
export function exposureWarning(server: string, host: string): string | null {
  if (isLoopback(host)) return null;
  const where = host === '0.0.0.0' || host === '::' || host === '' ? 'every network interface' : host;
  return `WARNING: ${server} listens on ${where}, so other machines on the network can reach it. Use this only on a network you trust; to keep it to this machine, listen on 127.0.0.1.`;
}
