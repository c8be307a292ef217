// The `write N` cluster action: N `set wI=I` commands through the leader, a few at a time, to
// grow the log (e.g. past the snapshot threshold in lesson 14). A command the leader could not
// take (a redirect, no leader, a timeout) is sent again to the leader found then.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import { settledLeader } from '../cluster/snapshot.ts';
import { pause } from './run-context.ts';
import { CellRunError } from './run-error.ts';

/** Commands in flight at once: one leader batch each round (server/node/node.ts batches them). */
const CONCURRENCY = 10;
const RETRY_MS = 200;
const COMMAND_TIMEOUT_MS = 10_000;

/** Sends `count` commands; resolves with the last index written. `budgetMs` bounds the whole run. */
export async function writeCommands(
  count: number,
  snapshot: () => Promise<ClusterSnapshot>,
  budgetMs: number,
): Promise<number> {
  const deadline = Date.now() + budgetMs;
  let leaderUrl: string | null = null;
  let lastIndex = 0;
  const leader = async (): Promise<string> => {
    for (;;) {
      const l = settledLeader(await snapshot());
      if (l) return l.url;
      if (Date.now() > deadline) {
        throw new CellRunError(
          'no leader took the commands in time',
          'Run `wait leader` first; a majority must be up.',
        );
      }
      await pause(RETRY_MS);
    }
  };
  const send = async (i: number): Promise<void> => {
    for (;;) {
      leaderUrl ??= await leader();
      const url: string = leaderUrl;
      try {
        const res = await fetch(`${url}/client_command`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ command: `set w${i}=${i}` }),
          redirect: 'manual',
          signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
        });
        const body = (await res.json().catch(() => ({}))) as { index?: number };
        if (res.status === 200) {
          lastIndex = Math.max(lastIndex, body.index ?? 0);
          return;
        }
      } catch {
        // Not answered: the leader may be gone; look again.
      }
      if (leaderUrl === url) leaderUrl = null;
      if (Date.now() > deadline) {
        throw new CellRunError(
          `command set w${i}=${i} was not committed in time`,
          'Run `wait leader` and try again.',
        );
      }
      await pause(RETRY_MS);
    }
  };
  let next = 1;
  const worker = async () => {
    while (next <= count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return lastIndex;
}
