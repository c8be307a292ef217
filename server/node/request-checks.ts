// The node's doors: each inbound body checked once, against the contract (server/contract/),
// plus what only this node knows (its members, the commands its state machine applies).
// A body that fails is refused whole; nothing of it reaches the core.

import {
  type ClientCommandBody,
  ClientCommandSchema,
  clientCommandRules,
} from '../contract/client-command.ts';
import {
  type InstallSnapshotBody,
  InstallSnapshotSchema,
  installSnapshotRules,
} from '../contract/install-snapshot.ts';
import { type Membership, notAPeer } from '../contract/membership.ts';
import { LogQuerySchema, logQueryRules, logRange } from '../contract/node-status.ts';
import {
  type AppendEntriesBody,
  AppendEntriesSchema,
  appendEntriesRules,
  type PreVoteBody,
  PreVoteSchema,
  type RequestVoteBody,
  RequestVoteSchema,
  requestVoteRules,
  type TimeoutNowBody,
  TimeoutNowSchema,
  termLeadError,
} from '../contract/raft-rpc.ts';
import { type Checked, parseWire, type Rule } from '../contract/wire-check.ts';
import type { Proposal } from '../raft/types.ts';
import { parseCommand } from '../statemachine/command.ts';

/** Why `text` is not a command the state machine applies (set/get/delete), or null. */
function commandError(text: string): string | null {
  const c = parseCommand(text);
  return 'error' in c ? c.error : null;
}

/**
 * What every Raft RPC must say of its sender, checked the same way at each door: `field`
 * (candidate_id or leader_id) names a member of `m` other than this node, and the body's term
 * exceeds this node's `currentTerm` by at most MAX_TERM_LEAD.
 */
function fromPeer<
  F extends 'candidate_id' | 'leader_id',
  B extends { term: number } & Record<F, string | number>,
>(m: Membership, field: F, currentTerm: number): Rule<B>[] {
  return [(b) => notAPeer(m, field, b[field]), (b) => termLeadError(b.term, currentTerm)];
}

/** `currentTerm`: this node's, which a request may exceed by at most MAX_TERM_LEAD. */
export function checkRequestVote(
  body: unknown,
  m: Membership,
  currentTerm: number,
): Checked<RequestVoteBody> {
  return parseWire(RequestVoteSchema, body, requestVoteRules, ...fromPeer(m, 'candidate_id', currentTerm));
}

/** Dissertation §9.6: a pre-vote carries the term the candidate would take; same bound as a vote. */
export function checkPreVote(body: unknown, m: Membership, currentTerm: number): Checked<PreVoteBody> {
  return parseWire(PreVoteSchema, body, requestVoteRules, ...fromPeer(m, 'candidate_id', currentTerm));
}

/** Dissertation §3.10: TimeoutNow from the leader handing over. */
export function checkTimeoutNow(body: unknown, m: Membership, currentTerm: number): Checked<TimeoutNowBody> {
  return parseWire(TimeoutNowSchema, body, ...fromPeer(m, 'leader_id', currentTerm));
}

/** `currentTerm`: this node's, which a request may exceed by at most MAX_TERM_LEAD. */
export function checkAppendEntries(
  body: unknown,
  m: Membership,
  currentTerm: number,
): Checked<AppendEntriesBody> {
  return parseWire(
    AppendEntriesSchema,
    body,
    appendEntriesRules,
    ...fromPeer(m, 'leader_id', currentTerm),
    (b) => {
      for (let i = 0; i < b.entries.length; i++) {
        const text = b.entries[i]!.command;
        const why = text === null ? null : commandError(text);
        if (why !== null) return `field 'entries[${i}].command': ${why}`;
      }
      return null;
    },
  );
}

/**
 * Paper §7, Figure 13: one chunk of a snapshot from a leader this node knows. `currentTerm`:
 * this node's, which a request may exceed by at most MAX_TERM_LEAD.
 */
export function checkInstallSnapshot(
  body: unknown,
  m: Membership,
  currentTerm: number,
): Checked<InstallSnapshotBody> {
  return parseWire(
    InstallSnapshotSchema,
    body,
    installSnapshotRules,
    ...fromPeer(m, 'leader_id', currentTerm),
  );
}

/** A client command as the core proposes it: the seed's numeric client keys read as text. */
export function checkClientCommand(body: unknown): Checked<Proposal> {
  const c = parseWire(ClientCommandSchema, body, clientCommandRules, (b: ClientCommandBody) =>
    commandError(b.command),
  );
  if (!c.ok) return c;
  const { command, client_id, request_id } = c.value;
  return {
    ok: true,
    value:
      client_id === undefined || request_id === undefined
        ? { command }
        : { command, client_id: String(client_id), request_id: String(request_id) },
  };
}

/** GET /log's query: from ≥ 1 (default 1), limit 1–1000 (default 100). */
export function checkLogQuery(query: object): Checked<{ from: number; limit: number }> {
  const c = parseWire(LogQuerySchema, { ...query }, logQueryRules);
  return c.ok ? { ok: true, value: logRange(c.value) } : c;
}
