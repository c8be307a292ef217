// Shared set-up for the integration tests: a LocalCluster of real node processes on
// loopback ports in a temporary data folder, always stopped and deleted afterwards.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  LocalCluster,
  type LocalClusterOptions,
  type NodeStatus,
} from '../../server/cluster/local-cluster.ts';
import { serverSentEvents } from '../../server/lab/live/server-sent-events.ts';

export type { NodeStatus };

type ClusterOptions = Omit<LocalClusterOptions, 'dataRoot'>;

/** A cluster in a new temporary data folder; `dispose` stops it and deletes the folder. */
export async function makeCluster(
  options: ClusterOptions,
): Promise<{ cluster: LocalCluster; dataRoot: string; dispose: () => Promise<void> }> {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'raft-cluster-'));
  const cluster = new LocalCluster({ ...options, dataRoot });
  const dispose = async () => {
    await cluster.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  };
  return { cluster, dataRoot, dispose };
}

/**
 * One cluster for a whole test file, returned at once (its nodes are not running yet): started
 * before the file's tests (within `startTimeoutMs`, default 60 s), stopped and its data folder
 * deleted after them, also when they fail. The folder is made only when the tests run, so a file
 * whose tests are all filtered out leaves nothing behind. `use` (optional) receives the cluster.
 */
export function clusterForSuite(
  options: ClusterOptions & { startTimeoutMs?: number },
  use: (cluster: LocalCluster) => void = () => {},
): LocalCluster {
  const { startTimeoutMs = 60_000, ...clusterOptions } = options;
  const dataRoot = path.join(os.tmpdir(), `raft-cluster-${randomUUID()}`);
  const cluster = new LocalCluster({ ...clusterOptions, dataRoot });
  use(cluster);
  beforeAll(async () => {
    await fs.mkdir(dataRoot);
    await cluster.start(startTimeoutMs);
  }, startTimeoutMs + 30_000);
  afterAll(async () => {
    await cluster.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  });
  return cluster;
}

/**
 * clusterForSuite with the nodes' /admin API open (ADMIN_TOKEN), and `admin(id, action, body)`
 * to call it.
 */
export function clusterWithAdminForSuite(
  options: Omit<Parameters<typeof clusterForSuite>[0], 'adminToken'>,
): { cluster: LocalCluster; admin: ReturnType<typeof adminOf> } {
  const cluster = clusterForSuite({ ...options, adminToken: ADMIN_TOKEN });
  return { cluster, admin: adminOf(cluster) };
}

/**
 * A fresh cluster for each test that asks: `start(basePort, env)` makes one from `options`
 * (with `env` added to theirs) and starts it; it is stopped and deleted after that test.
 */
export function clusterPerTest(
  options: Omit<ClusterOptions, 'basePort'>,
): (basePort: number, env?: Record<string, string>) => Promise<LocalCluster> {
  let dispose: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await dispose?.();
    dispose = null;
  });
  return async (basePort, env = {}) => {
    const made = await makeCluster({ ...options, basePort, env: { ...options.env, ...env } });
    dispose = made.dispose;
    await made.cluster.start(90_000);
    return made.cluster;
  };
}

/** The admin token of the test clusters that open their /admin API (its value does not matter). */
export const ADMIN_TOKEN = 'test-admin-token';

/** The Authorization header of a node's /admin API (docs/node-api.md). */
export const bearer = (token = ADMIN_TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** `admin(id, action, body)`: POST /admin/<action> to node `id` of `cluster` with `token`. */
export function adminOf(
  cluster: LocalCluster,
  token = ADMIN_TOKEN,
): (id: string, action: string, body?: unknown) => Promise<HttpResult> {
  return (id, action, body = {}) =>
    http(`${cluster.url(id)}/admin/${action}`, { body, headers: bearer(token) });
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function http(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    follow?: boolean;
  } = {},
): Promise<HttpResult> {
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    body,
    redirect: init.follow ? 'follow' : 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { _text: text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const command = (url: string, cmd: string, extra: Record<string, unknown> = {}) =>
  http(`${url}/client_command`, { body: { command: cmd, ...extra } });

/** Reads a node's /events stream until `until` has seen what it wants; returns every event read. */
export async function readEvents(
  url: string,
  until: (events: Record<string, unknown>[]) => boolean,
  timeoutMs: number,
  /** Called once the stream is open (the node registers a listener before it sends headers). */
  onOpen: () => Promise<unknown> = async () => {},
): Promise<Record<string, unknown>[]> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const events: Record<string, unknown>[] = [];
  try {
    const res = await fetch(`${url}/events`, { signal: ctrl.signal });
    await onOpen();
    for await (const ev of serverSentEvents(res.body!)) {
      events.push(JSON.parse(ev.data) as Record<string, unknown>);
      if (until(events)) return events;
    }
  } catch (e) {
    if (!ctrl.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  throw new Error(
    `the event stream of ${url} did not show what was expected within ${timeoutMs} ms (${events.length} events read)`,
  );
}

/** Follows the /events streams of several nodes at once; every event read lands in `events`. */
export function followEvents(urls: string[]): {
  events: Record<string, unknown>[];
  /** Resolves once every stream is open (the nodes then emit for us). */
  opened: Promise<void>;
  close: () => void;
} {
  const ctrl = new AbortController();
  const events: Record<string, unknown>[] = [];
  const opened = Promise.all(
    urls.map(async (url) => {
      const res = await fetch(`${url}/events`, { signal: ctrl.signal });
      void (async () => {
        try {
          for await (const ev of serverSentEvents(res.body!)) {
            events.push(JSON.parse(ev.data) as Record<string, unknown>);
          }
        } catch {
          // closed
        }
      })();
    }),
  ).then(() => undefined);
  return { events, opened, close: () => ctrl.abort() };
}
