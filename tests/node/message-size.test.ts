// The node's limits and the core's batching are chosen together (issue 10, fault 3): every
// entry the node accepts (a value of up to MAX_VALUE_BYTES) can be replicated, because every
// append_entries the leader's core makes — however large or awkward the values, a single one
// that is over the batch limit included — encodes to a body the receiving node accepts.

import { describe, expect, test } from 'vitest';
import { MAX_BODY_BYTES } from '../../server/node/http-errors.ts';
import { encodeRequest } from '../../server/node/wire-codec.ts';
import { appendResponse, elect, newCore, ofType } from '../../server/raft/tests/harness.ts';
import type { Proposal } from '../../server/raft/types.ts';
import { MAX_VALUE_BYTES, parseCommand } from '../../server/statemachine/command.ts';

/** The largest commands the node accepts, in the shapes that grow most as JSON. */
function worstCommands(): Proposal[] {
  const key = 'k'.repeat(128);
  const id = '\u0001'.repeat(200); // client_id/request_id: at most 200 characters, each 6 bytes as JSON
  const values = [
    '\u0001'.repeat(MAX_VALUE_BYTES), // 1 byte of UTF-8, 6 as a JSON escape
    '"'.repeat(MAX_VALUE_BYTES), // 2 as JSON
    'é'.repeat(MAX_VALUE_BYTES / 2), // 2 bytes of UTF-8 each
    'x'.repeat(MAX_VALUE_BYTES),
  ];
  return values.map((v) => {
    const command = `set ${key}=${v}`;
    expect(parseCommand(command)).toMatchObject({ op: 'set' });
    return { command, client_id: id, request_id: id };
  });
}

describe('message sizes (issue 10, fault 3)', () => {
  test('every append_entries a leader sends, for any mix of accepted commands, fits the receiver’s body limit', () => {
    // The node's own settings: the core's defaults for batching.
    const leader = newCore();
    elect(leader, ['2']);
    // Follower '2' answered its first probe: it is replicated to as fast as flow control allows.
    leader.step(appendResponse('2', '1', 1, true, 1));
    leader.ready();
    const commands = worstCommands();
    for (let i = 0; i < 6; i++) leader.propose([...commands, { command: `set small${i}=1` }]);
    const leaderUrl = `http://${'h'.repeat(200)}.example:65535`;
    let covered = 1;
    for (let round = 0; round < 200 && covered < leader.lastIndex(); round++) {
      const appends = ofType(leader.ready().messages, 'append_entries').filter((m) => m.to === '2');
      for (const m of appends) {
        const body = new TextEncoder().encode(JSON.stringify(encodeRequest(m, leaderUrl)));
        expect(body.length, `an append of ${m.entries.length} entries`).toBeLessThanOrEqual(MAX_BODY_BYTES);
        if (m.entries.length === 0) continue;
        expect(m.prevLogIndex).toBe(covered);
        covered = m.entries.at(-1)!.index;
        leader.step(appendResponse('2', '1', 1, true, covered));
      }
    }
    expect(covered).toBe(leader.lastIndex()); // everything went, in bodies the receiver takes
  });
});
