// /admin membership changes on the leader (dissertation §4.1–§4.2; docs/node-api.md).
// One server at a time: each configuration differs from the last by one server, so any two
// majorities of consecutive configurations overlap and no joint configuration (§4.3) is needed;
// the core refuses anything else. Each call appends one configuration entry and answers once it
// is committed; `replace` is add_learner → promote (once caught up, §4.2.1) → remove.
// Mounted behind requireAdminToken (admin.ts); bodies are checked against the contract.

import type { Static, TSchema } from '@sinclair/typebox';
import express, { type Response, type Router } from 'express';
import {
  AddLearnerSchema,
  MemberSchema,
  type MembershipAction,
  type MembershipReply,
  type MembershipView,
  ReplaceSchema,
  SnapshotThresholdSchema,
} from '../contract/membership-admin.ts';
import { nodeIdText } from '../contract/raft-rpc.ts';
import { parseWire } from '../contract/wire-check.ts';
import type { MembershipChange, MembershipRefusal } from '../raft/types.ts';
import { sendError } from './http-errors.ts';
import type { RaftNode } from './node.ts';

/** How often a waiting change looks at the node again (ms). */
const POLL_MS = 10;

/** A change that did not get through: HTTP status, error code, detail for people. */
class ChangeFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** 409 for a refusal the caller can act on; 421 for "ask the leader". */
const STATUS_OF: Record<MembershipRefusal, number> = {
  not_leader: 421,
  no_commit_in_term: 409,
  change_in_progress: 409,
  transferring: 409,
  already_member: 409,
  not_member: 409,
  not_learner: 409,
  learner_behind: 409,
  last_voter: 409,
};

export function membershipView(node: RaftNode): MembershipView {
  const c = node.configuration;
  const addresses: Record<string, string> = {};
  for (const id of [...c.voters, ...c.learners]) addresses[id] = node.urlOf(id) ?? '';
  return {
    node_id: node.id,
    leader_id: node.leaderId,
    voters: [...c.voters],
    learners: [...c.learners],
    addresses,
    committed: node.configurationCommitted,
  };
}

export function membershipRouter(node: RaftNode): Router {
  const r = express.Router();
  const waitMs = () => node.config.commandTimeoutMs;

  /** Polls `ready` until true or the command timeout passes (then throws 503 with `what`). */
  const waitUntil = async (ready: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + waitMs();
    while (!ready()) {
      if (node.role !== 'leader') {
        throw new ChangeFailed(
          503,
          'not_leader',
          `node ${node.id} lost leadership while waiting for ${what}; ask the new leader`,
        );
      }
      if (Date.now() > deadline) {
        throw new ChangeFailed(
          503,
          'timeout',
          `${what} did not happen within ${waitMs()} ms (no majority reachable?); look at GET /admin/membership and retry`,
        );
      }
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
  };

  /** Appends one configuration entry and waits until it is committed. */
  const change = async (c: MembershipChange): Promise<number> => {
    const result = node.changeMembership(c);
    if (!result.ok) {
      const leader = node.leaderId !== null && node.leaderId !== node.id ? node.leaderId : null;
      const hint =
        result.reason === 'not_leader' && leader !== null
          ? ` (${node.urlOf(leader) ?? 'address unknown'})`
          : result.reason === 'no_commit_in_term' || result.reason === 'change_in_progress'
            ? '; retry in a moment'
            : '';
      throw new ChangeFailed(STATUS_OF[result.reason], result.reason, `${result.detail}${hint}`);
    }
    const index = result.entry.index;
    await waitUntil(() => node.commitIndex >= index, `the configuration entry at ${index} to commit`);
    return index;
  };

  const post = <T extends TSchema>(
    action: MembershipAction,
    schema: T,
    act: (body: Static<T>) => Promise<{ index: number; detail: string }>,
  ) =>
    r.post(`/${action}`, async (req, res: Response) => {
      const c = parseWire(schema, req.body ?? {});
      if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
      try {
        const { index, detail } = await act(c.value);
        node.events.emit({ type: 'admin', action, detail });
        const reply: MembershipReply = { ok: true, action, detail, index, membership: membershipView(node) };
        res.json(reply);
      } catch (e) {
        if (e instanceof ChangeFailed)
          sendError(res, e.status, e.code, e.message, { membership: membershipView(node) });
        else sendError(res, 500, 'internal', `the change failed: ${(e as Error).message}`);
      }
    });

  r.get('/membership', (_req, res) => {
    res.json(membershipView(node));
  });

  // Paper §7 on this node only (every node decides when to snapshot by itself); lessons make it small.
  r.post('/snapshot', (req, res) => {
    const c = parseWire(SnapshotThresholdSchema, req.body ?? {});
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    node.snapshotEntries = c.value.entries;
    const detail = `a snapshot is taken once ${c.value.entries} applied entries follow the last one`;
    node.events.emit({ type: 'admin', action: 'snapshot', detail });
    res.json({ ok: true, action: 'snapshot', detail, snapshot_entries: node.snapshotEntries });
  });

  post('add_learner', AddLearnerSchema, async (b) => {
    const id = nodeIdText(b.id);
    const index = await change({ kind: 'add_learner', id, address: b.url.replace(/\/+$/, '') });
    return { index, detail: `node ${id} added as a learner: it receives the log and does not vote (§4.2.1)` };
  });
  post('promote', MemberSchema, async (b) => {
    const id = nodeIdText(b.id);
    const index = await change({ kind: 'promote', id });
    return { index, detail: `node ${id} is a voter now` };
  });
  post('remove', MemberSchema, async (b) => {
    const id = nodeIdText(b.id);
    const index = await change({ kind: 'remove', id });
    const self = id === node.id ? ' (this leader steps down now that its removal is committed, §4.2.2)' : '';
    return { index, detail: `node ${id} removed; shut it down${self}` };
  });
  post('replace', ReplaceSchema, async (b) => {
    const oldId = nodeIdText(b.old_id);
    const newId = nodeIdText(b.new_id);
    await change({ kind: 'add_learner', id: newId, address: b.new_url.replace(/\/+$/, '') });
    await waitUntil(() => node.replicationOf(newId)?.caughtUp === true, `learner ${newId} to catch up`);
    await change({ kind: 'promote', id: newId });
    const index = await change({ kind: 'remove', id: oldId });
    return {
      index,
      detail: `node ${newId} replaced node ${oldId} (added as a learner, promoted, then ${oldId} removed)`,
    };
  });
  return r;
}
