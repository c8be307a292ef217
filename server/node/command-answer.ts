// What a client hears for a command's outcome: the HTTP status, headers and contract body
// (docs/node-api.md). Plain data, so the node's HTTP doors (raft-doors.ts) only write it out.

import type { ClientCommandAnswer, CommandRefused } from '../contract/client-command.ts';
import type { CommandOutcome } from './client-commands.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: ClientCommandAnswer;
}

/** The answer to POST /client_command for `o`, from node `nodeId`. */
export function commandAnswer(nodeId: string, o: CommandOutcome): HttpAnswer {
  const base = { node_id: nodeId };
  const answer = (status: number, body: ClientCommandAnswer, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body,
  });
  /** A failure the client may simply retry: 503 with Retry-After. */
  const retryLater = (body: Omit<CommandRefused, 'node_id' | 'success'>) =>
    answer(503, { ...base, success: false, ...body }, { 'Retry-After': '1' });
  switch (o.kind) {
    case 'ok':
      return answer(200, {
        ...base,
        success: true,
        index: o.index,
        term: o.term,
        result: o.result,
        ...(o.duplicate ? { duplicate: true as const } : {}),
        ...(o.clientId !== undefined ? { client_id: o.clientId } : {}),
        ...(o.read !== undefined ? { read: o.read } : {}),
      });
    case 'refused':
      // 410 Gone: the session, or the result the retry asks for, is gone; nothing was applied (§6.3).
      return answer(410, {
        ...base,
        success: false,
        error: o.code,
        index: o.index,
        term: o.term,
        detail: o.detail,
      });
    case 'invalid':
      return answer(400, {
        ...base,
        success: false,
        error: 'bad_request',
        index: o.index,
        term: o.term,
        detail: o.detail,
      });
    case 'disk_full':
      return retryLater({
        error: 'disk_full',
        detail: `node ${nodeId} did not propose the command: ${o.detail}`,
      });
    case 'not_leader':
      // 307 keeps the method and body, so `curl -L` re-POSTs the command to the leader.
      return answer(
        o.leaderUrl !== null ? 307 : 503,
        {
          ...base,
          success: false,
          error: 'not_leader',
          leader_id: o.leaderId,
          leader_url: o.leaderUrl,
          detail: `node ${nodeId} is not the leader; send the command to node ${o.leaderId}${o.leaderUrl ? ` at ${o.leaderUrl}` : ''}`,
        },
        o.leaderUrl !== null ? { Location: `${o.leaderUrl}/client_command` } : {},
      );
    case 'no_leader':
      return retryLater({
        error: 'no_leader',
        detail: 'no leader is known right now (an election may be under way); retry in a moment',
      });
    case 'timeout':
      return retryLater({
        error: 'timeout',
        index: o.index,
        term: o.term,
        detail:
          `entry ${o.index} was not committed within ${o.waitedMs} ms (no majority reachable?). It may still be ` +
          'applied later: to be safe, retry with the same client_id and request_id (a session from "register")',
      });
    case 'overwritten':
      return retryLater({
        error: 'overwritten',
        index: o.index,
        term: o.term,
        detail:
          `entry ${o.index} of term ${o.term} was replaced by a leader of term ${o.byTerm} (§5.3) and was ` +
          'never applied; it is safe to send the command again',
      });
    case 'transferring':
      return retryLater({
        error: 'transferring',
        leader_id: o.to,
        detail:
          `node ${nodeId} is handing leadership to node ${o.to} (dissertation §3.10) and takes no commands ` +
          'meanwhile; retry in a moment, at the new leader',
      });
    case 'read_unconfirmed':
      return retryLater({
        error: 'timeout',
        detail:
          `node ${nodeId} could not confirm within ${o.waitedMs} ms that it still leads (no majority answered ` +
          'its heartbeat round, dissertation §6.4), so it read nothing rather than risk a stale value; retry',
      });
    case 'stopping':
      return answer(503, {
        ...base,
        success: false,
        error: 'shutting_down',
        detail: 'the node is stopping; try another node',
      });
  }
}
