// Benchmark-only timestamps of a write's way through the node (bench/write-breakdown.ts reads
// them): HTTP requests and replies arriving (from Node's built-in diagnostics channels) plus a few marks
// the node sets itself (submit, persist start/end of each Ready, each request to a peer).
//
// Off unless RAFT_TRACE_DIR is set: then `phaseTrace` is null and every call site costs one
// null check. On, each node appends JSON lines to <dir>/node-<NODE_ID>.jsonl, flushed every
// half second and at exit. Times are epoch ms with µs fraction (performance.timeOrigin + now()),
// comparable across the processes of one machine.

import diagnosticsChannel from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Entry, Message, Ready } from '../raft/types.ts';

export interface PhaseTrace {
  /** A client command reached submit(): its body is parsed and checked. */
  submitted(): void;
  /** A Ready is about to be persisted (`'persist'`) or has been (`'persisted'`). */
  ready(phase: 'persist' | 'persisted', rd: Ready): void;
  /** An RPC to a peer is about to be sent with this id (the x-raft-rpc-id header). */
  sent(id: string, m: Message): void;
}

const span = (es: readonly Entry[]) => (es.length === 0 ? null : [es[0]!.index, es[es.length - 1]!.index]);

function createTrace(dir: string, nodeId: string): PhaseTrace {
  const file = path.join(dir, `node-${nodeId}.jsonl`);
  let lines: string[] = [];
  const at = () => performance.timeOrigin + performance.now();
  const put = (ev: string, detail: Record<string, unknown>) =>
    lines.push(JSON.stringify({ t: at(), ev, ...detail }));
  const flush = () => {
    if (lines.length === 0) return;
    appendFileSync(file, `${lines.join('\n')}\n`);
    lines = [];
  };
  setInterval(flush, 500).unref();
  process.on('exit', flush);

  const tag = (headers: (name: string) => unknown) => ({
    rpc: headers('x-raft-rpc-id') ?? null,
    bench: headers('x-bench-seq') ?? null,
  });
  diagnosticsChannel.subscribe('http.server.request.start', (m) => {
    const req = (m as { request: IncomingMessage }).request;
    put('srv_in', { path: req.url, ...tag((h) => req.headers[h]) });
  });
  diagnosticsChannel.subscribe('http.client.response.finish', (m) => {
    const req = (m as { request: ClientRequest }).request;
    put('cli_in', { path: req.path, ...tag((h) => req.getHeader(h)) });
  });

  return {
    submitted: () => put('submit', {}),
    ready: (phase, rd) =>
      put(phase, {
        entries: span(rd.entries),
        committed: span(rd.committed),
        hard: rd.hardState !== undefined,
        messages: rd.messages.length,
      }),
    sent: (id, m) =>
      put('send', {
        rpc: id,
        type: m.type,
        to: m.to,
        entries: m.type === 'append_entries' ? span(m.entries) : null,
      }),
  };
}

const dir = process.env.RAFT_TRACE_DIR;
/** Null unless RAFT_TRACE_DIR is set (benchmarks only). */
export const phaseTrace: PhaseTrace | null =
  dir !== undefined && dir !== '' ? createTrace(dir, process.env.NODE_ID ?? 'unknown') : null;
