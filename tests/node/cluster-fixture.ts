// Shared set-up for the integration tests: a LocalCluster of real node processes on
// loopback ports in a temporary data folder, always stopped and deleted afterwards.

import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  LocalCluster,
  type LocalClusterOptions,
  type NodeStatus,
} from '../../server/cluster/local-cluster.ts';

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

export type LogEntry = { index: number; term: number; type: string; command: string | null };
export const logOf = (s: NodeStatus) => s.log as LogEntry[];

/** Polls `f` until it returns something truthy (no fixed sleeps); throws with `what` after timeoutMs. */
export async function eventually<T>(
  f: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (dead, not yet reaped by init) still answers kill(0).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

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
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut = buf.indexOf('\n\n');
      while (cut >= 0) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        for (const line of frame.split('\n')) {
          if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
        }
        cut = buf.indexOf('\n\n');
      }
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
