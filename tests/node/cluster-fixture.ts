// Shared set-up for the integration tests: a LocalCluster of real node processes on
// loopback ports in a temporary data folder, always stopped and deleted afterwards.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  LocalCluster,
  type LocalClusterOptions,
  type NodeStatus,
} from '../../server/cluster/local-cluster.ts';
import { serverSentEvents } from '../../server/lab/live/server-sent-events.ts';

export type { NodeStatus };

export async function makeCluster(
  options: Omit<LocalClusterOptions, 'dataRoot'>,
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
 * One cluster for a whole test file: made and started before its tests, stopped and deleted
 * after them (also when they fail). `use` receives the cluster before it starts.
 */
export function clusterForSuite(
  options: Omit<LocalClusterOptions, 'dataRoot'>,
  use: (cluster: LocalCluster) => void,
): void {
  let dispose: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const made = await makeCluster(options);
    dispose = made.dispose;
    use(made.cluster);
    await made.cluster.start();
  });
  afterAll(() => dispose());
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
