// The host guard: the lab sends HTTP only to the cluster's own nodes, also when redirected.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostGuard } from '../../server/lab/run/host-guard.ts';
import { exchange } from '../../server/lab/run/http-exchange.ts';
import { CellRunError } from '../../server/lab/run/run-error.ts';

const nodes = [
  { id: '1', name: 'node1', url: 'http://127.0.0.1:16301' },
  { id: '2', name: 'node2', url: 'http://127.0.0.1:16302' },
];

describe('HostGuard.check', () => {
  const guard = new HostGuard(nodes);

  it('accepts the nodes, also under the other loopback names, and sends to the node URL', () => {
    expect(guard.check('http://127.0.0.1:16301/status').href).toBe('http://127.0.0.1:16301/status');
    expect(guard.check('http://localhost:16302/client_command?x=1').href).toBe(
      'http://127.0.0.1:16302/client_command?x=1',
    );
  });

  it('accepts a node under its advertised URL (Docker), rewriting to where the lab reaches it', () => {
    const docker = new HostGuard([
      { id: '3', name: 'node3', url: 'http://node3:5000', aliases: ['http://localhost:5003'] },
    ]);
    expect(docker.check('http://localhost:5003/status').href).toBe('http://node3:5000/status');
  });

  it.each([
    ['another host', 'http://example.com/status'],
    ['another port on the same machine', 'http://127.0.0.1:16399/status'],
    ['the lab itself', 'http://127.0.0.1:8080/api/lessons'],
    ['credentials in the URL', 'http://user:pw@127.0.0.1:16301/status'],
    ['another scheme', 'file:///etc/passwd'],
    ['a cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
  ])('refuses %s with an error naming the nodes', (_what, url) => {
    let error: unknown;
    try {
      guard.check(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CellRunError);
    expect((error as CellRunError).message).toContain("only sends requests to the cluster's own nodes");
    expect((error as CellRunError).hint).toContain('node1 http://127.0.0.1:16301');
  });

  it('refuses a relative URL, saying how to write a full one', () => {
    expect(() => guard.check('/status')).toThrow(/not a full URL/);
  });
});

describe('exchange with redirects', () => {
  // What the node calls itself in redirects (its ADVERTISE_URL); unreachable from the lab.
  const ALIAS = 'http://node1.invalid:5000';
  // A plain HTTP server standing in for a node that redirects somewhere else.
  let server: Server;
  let outside: Server;
  let outsideHits = 0;
  let guard: HostGuard;
  let nodeUrl: string;

  beforeAll(async () => {
    outside = createServer((_req, res) => {
      outsideHits++;
      res.end('secret');
    });
    await new Promise<void>((r) => outside.listen(0, '127.0.0.1', r));
    const outsideUrl = `http://127.0.0.1:${(outside.address() as AddressInfo).port}`;
    server = createServer((req, res) => {
      if (req.url === '/elsewhere') res.writeHead(307, { location: `${outsideUrl}/x` }).end();
      else if (req.url === '/loop') res.writeHead(307, { location: '/loop' }).end();
      else if (req.url === '/big') res.end('x'.repeat(300 * 1024));
      else if (req.url === '/to-alias') res.writeHead(307, { location: `${ALIAS}/done` }).end();
      else if (req.url === '/done') res.end('done');
      else res.writeHead(307, { location: '/final' }).end(req.url === '/final' ? 'done' : '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    nodeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    guard = new HostGuard([{ id: '1', name: 'node1', url: nodeUrl, aliases: [ALIAS] }]);
  });

  afterAll(async () => {
    server.closeAllConnections();
    outside.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => outside.close(r))]);
  });

  const opts = { location: true, maxRedirs: 3, timeoutMs: 2000 };
  const get = (path: string) => ({ method: 'GET', url: `${nodeUrl}${path}`, headers: {}, body: null });

  it('refuses a redirect that leads outside the cluster, before following it', async () => {
    await expect(exchange(get('/elsewhere'), opts, guard)).rejects.toThrow(
      /the redirect from .*\/elsewhere leads to http:\/\/127\.0\.0\.1:\d+\/x/,
    );
    expect(outsideHits).toBe(0);
  });

  it("follows a redirect to a node's advertised URL by sending it to where the lab reaches that node", async () => {
    const { hops, response } = await exchange(get('/to-alias'), opts, guard);
    expect(hops.map((h) => h.location)).toEqual([`${ALIAS}/done`]);
    expect(response.bodyText).toBe('done');
  });

  it('stops a redirect loop after max-redirs hops', async () => {
    await expect(exchange(get('/loop'), opts, guard)).rejects.toThrow(/more than 3 redirects/);
  });

  it('caps a response body at 256 KiB and says it was cut', async () => {
    const { response } = await exchange(get('/big'), opts, guard);
    expect(response.truncated).toBe(true);
    expect(response.bodyText.length).toBe(256 * 1024);
  });

  it('refuses a request body over 256 KiB', async () => {
    const big = { method: 'POST', url: `${nodeUrl}/x`, headers: {}, body: 'y'.repeat(257 * 1024) };
    await expect(exchange(big, opts, guard)).rejects.toThrow(/over 256 KiB/);
  });
});

describe('forbidden targets in every notation', () => {
  // Two loopback listeners this test starts itself: `node` stands for a node of the cluster,
  // `forbidden` for anything else on the machine. The lab must never reach `forbidden`.
  let node: Server;
  let forbidden: Server;
  let forbiddenHits = 0;
  let guard: HostGuard;
  let nodeUrl: string;
  let F: number; // the forbidden port
  let N: number; // the node's port

  beforeAll(async () => {
    forbidden = createServer((_req, res) => {
      forbiddenHits++;
      res.end('secret');
    });
    await new Promise<void>((r) => forbidden.listen(0, '127.0.0.1', r));
    F = (forbidden.address() as AddressInfo).port;
    node = createServer((req, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
      if (to) res.writeHead(307, { location: to }).end();
      else res.end('node');
    });
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    N = (node.address() as AddressInfo).port;
    nodeUrl = `http://127.0.0.1:${N}`;
    guard = new HostGuard([{ id: '1', name: 'node1', url: nodeUrl }]);
  });

  afterAll(async () => {
    node.closeAllConnections();
    forbidden.closeAllConnections();
    await Promise.all([new Promise((r) => node.close(r)), new Promise((r) => forbidden.close(r))]);
  });

  const opts = { location: true, maxRedirs: 5, timeoutMs: 2000 };
  const get = (url: string) => ({ method: 'GET', url, headers: {}, body: null });
  /** The forbidden listener, written every way a URL can name 127.0.0.1 (or this machine). */
  const notations = () => [
    `http://127.0.0.1:${F}/`,
    `http://localhost:${F}/`,
    `http://LOCALHOST:${F}/`,
    `http://localhost.:${F}/`,
    `http://127.0.0.1.:${F}/`,
    `http://2130706433:${F}/`, // decimal
    `http://0x7f000001:${F}/`, // hex
    `http://0x7f.0.0.1:${F}/`,
    `http://0177.0.0.1:${F}/`, // octal
    `http://017700000001:${F}/`,
    `http://127.1:${F}/`,
    `http://[::1]:${F}/`,
    `http://[::ffff:127.0.0.1]:${F}/`, // IPv4-mapped IPv6
    `http://[::ffff:7f00:1]:${F}/`,
    `http://[0:0:0:0:0:ffff:7f00:1]:${F}/`,
    `http://0.0.0.0:${F}/`,
    `http://0:${F}/`,
    `http://127.0.0.2:${N}/`, // another loopback address, the node's port
    `http://127.0.0.1:${N}@127.0.0.1:${F}/`, // the node as user info
    `http://127.0.0.1:${F}#@127.0.0.1:${N}/`,
    `http:\\\\127.0.0.1:${F}/`,
    `http://localtest.me:${F}/`, // DNS names that resolve to loopback
    `http://anything.localhost:${F}/`,
    `http://127.0.0.1.nip.io:${N}/`,
    `https://127.0.0.1:${F}/`,
    `ftp://127.0.0.1:${F}/`,
  ];

  it('refuses a cell that targets the forbidden listener in any notation, and never reaches it', async () => {
    for (const url of notations()) {
      await expect(exchange(get(url), opts, guard), url).rejects.toThrow(
        /only sends requests to the cluster's own nodes/,
      );
    }
    expect(forbiddenHits).toBe(0);
  });

  it('refuses a redirect to the forbidden listener in any notation (also protocol-relative) before following it', async () => {
    for (const to of [...notations(), `//127.0.0.1:${F}/`, `//2130706433:${F}/x`]) {
      const start = `${nodeUrl}/r?to=${encodeURIComponent(to)}`;
      await expect(exchange(get(start), opts, guard), to).rejects.toThrow(/the redirect from .* leads to/);
    }
    expect(forbiddenHits).toBe(0);
  });

  it('refuses a redirect chain that leaves the cluster at its last hop', async () => {
    const hop3 = `http://0x7f000001:${F}/x`;
    const hop2 = `http://localhost:${N}/r?to=${encodeURIComponent(hop3)}`;
    const hop1 = `${nodeUrl}/r?to=${encodeURIComponent(hop2)}`;
    await expect(exchange(get(hop1), opts, guard)).rejects.toThrow(/leads to http:\/\/127\.0\.0\.1:\d+\/x/);
    expect(forbiddenHits).toBe(0);
  });

  it("a node written in another notation of its own address is still sent to the node's URL, never resolved by name", () => {
    for (const url of [
      `http://2130706433:${N}/status`,
      `http://0x7f.1:${N}/status`,
      `http://localhost:${N}/status`,
    ]) {
      expect(guard.check(url).href).toBe(`${nodeUrl}/status`);
    }
  });
});
