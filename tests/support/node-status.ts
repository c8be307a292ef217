// A node's /status for tests that judge hand-made snapshots: the fields a test names, and the
// contract's other fields filled in as an idle node reports them (server/contract/node-status.ts).
import type { NodeView } from '../../server/contract/cluster-view.ts';
import type { NodeStatus } from '../../server/contract/node-status.ts';

type Named = Pick<NodeStatus, 'node_id' | 'state' | 'term'> & Partial<NodeStatus>;

/** `/status`'s `faults` of a node nobody has faulted: what a fresh or healed node reports. */
export function idleFaults(nodeId: string): NodeStatus['faults'] {
  return {
    node_id: nodeId,
    paused: false,
    speed: 1,
    cut_inbound: [],
    cut_outbound: [],
    noop_on_election: true,
    held: false,
    held_count: 0,
    timer_paused: false,
    links: {},
  };
}

export function statusOf(s: Named): NodeStatus {
  const log = s.log ?? [];
  return {
    voted_for: null,
    leader_id: null,
    leader_url: null,
    commit_index: 0,
    last_applied: 0,
    log_start: log[0]?.index ?? 1,
    log_length: log.at(-1)?.index ?? 0,
    snapshot_index: 0,
    snapshot_term: 0,
    snapshot_entries: 10_000,
    voters: [],
    learners: [],
    kv: {},
    peers: [],
    progress: null,
    faults: idleFaults(s.node_id),
    switches: { pre_vote: true, check_quorum: true, read_mode: 'read_index' },
    transferee: null,
    storage: { disk_full: false, detail: null },
    metrics: {
      readies: 0,
      append_entries_sent: 0,
      append_entries_with_entries_sent: 0,
      entries_sent: 0,
      request_votes_sent: 0,
      rpc_failures: 0,
      append_entries_refused: 0,
      proposals: 0,
      proposal_batches: 0,
      fsyncs: 0,
      entries_persisted: 0,
      entries_per_fsync: 0,
      wal_bytes: 0,
      wal_compactions: 0,
      wal_dropped_tail_bytes: 0,
      disk_full_errors: 0,
      snapshots_taken: 0,
      snapshots_installed: 0,
      snapshots_sent: 0,
      snapshot_chunks_sent: 0,
      snapshot_bytes: 0,
    },
    ...s,
    // The harness's aliases always say what node_id and leader_id say.
    id: s.node_id,
    leader: s.leader_id ?? null,
    log,
  };
}

/** A snapshot's view of a node that is up, not paused, cut off from nobody, answering `s`. */
export function runningNode(s: Named, url = `http://127.0.0.1:${5000 + Number(s.node_id)}`): NodeView {
  return {
    id: s.node_id,
    name: `node${s.node_id}`,
    url,
    up: true,
    paused: false,
    partitionedFrom: [],
    error: null,
    status: statusOf(s),
  };
}
