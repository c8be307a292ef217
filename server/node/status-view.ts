// What GET /status and GET /log show (docs/node-api.md), built from the node's parts. Read-only.

import type { LogPage, NodeMetrics, NodeStatus } from '../contract/node-status.ts';
import { STATUS_LOG_LIMIT } from '../contract/node-status.ts';
import type { SwitchesView } from '../contract/raft-switches.ts';
import type { RaftCore } from '../raft/core.ts';
import type { KvStateMachine } from '../statemachine/kv.ts';
import type { ClientCommands } from './client-commands.ts';
import type { NodeConfig } from './config.ts';
import type { Faults } from './faults.ts';
import type { RpcCounters } from './rpc-counters.ts';
import type { Wal } from './storage/wal.ts';

export interface NodeParts {
  config: NodeConfig;
  core: RaftCore;
  sm: KvStateMachine;
  faults: Faults;
  wal: Wal;
  commands: ClientCommands;
  counters: RpcCounters;
  urlOf: (id: string) => string | null;
  /** PreVote, CheckQuorum and the read mode in effect (/admin/switches). */
  switches: () => SwitchesView;
}

export function statusView(p: NodeParts): NodeStatus {
  const { core } = p;
  const last = core.lastIndex();
  const start = Math.max(1, last - STATUS_LOG_LIMIT + 1);
  const leaderId = core.leaderId;
  const progress = core.progress();
  return {
    node_id: p.config.id,
    id: p.config.id,
    state: core.role,
    term: core.currentTerm,
    voted_for: core.votedFor,
    leader_id: leaderId,
    leader: leaderId,
    leader_url: leaderId === null ? null : p.urlOf(leaderId),
    commit_index: core.commitIndex,
    last_applied: core.lastApplied,
    log_start: start,
    log_length: last,
    log: last === 0 ? [] : core.entries(start, last),
    kv: p.sm.kv(),
    peers: p.config.peers.map((peer) => ({ id: peer.id, url: peer.url })),
    progress:
      progress === null
        ? null
        : Object.fromEntries(
            Object.entries(progress).map(([id, pr]) => [
              id,
              { next_index: pr.nextIndex, match_index: pr.matchIndex },
            ]),
          ),
    faults: p.faults.toJSON(),
    switches: p.switches(),
    transferee: core.transferee,
    storage: { disk_full: p.wal.diskFull !== null, detail: p.wal.diskFull?.detail ?? null },
    metrics: metricsView(p),
  };
}

function metricsView(p: NodeParts): NodeMetrics {
  const ws = p.wal.stats;
  return {
    ...p.counters.toJSON(),
    proposals: p.commands.proposals,
    proposal_batches: p.commands.batches,
    fsyncs: ws.fsyncs,
    entries_persisted: ws.entriesWritten,
    entries_per_fsync: ws.fsyncs === 0 ? 0 : Math.round((ws.entriesWritten / ws.fsyncs) * 100) / 100,
    wal_bytes: ws.fileBytes,
    wal_compactions: ws.compactions,
    wal_dropped_tail_bytes: ws.droppedTailBytes,
    disk_full_errors: ws.diskFullErrors,
  };
}

export function logPageView(p: Pick<NodeParts, 'config' | 'core'>, from: number, limit: number): LogPage {
  const last = p.core.lastIndex();
  const to = Math.min(last, from + limit - 1);
  return {
    node_id: p.config.id,
    from,
    entries: from > last ? [] : p.core.entries(from, to),
    last_index: last,
    commit_index: p.core.commitIndex,
    next: to < last ? to + 1 : null,
  };
}
