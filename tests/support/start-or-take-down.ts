// Starting a test fixture that lives in a temporary folder (a session's node data, a class
// folder): when starting fails, what was started is stopped and the folder deleted before the
// error goes on, and the fixture's stop does the same — so no test leaves processes or folders
// behind, also when its set-up fails.
import { rmSync } from 'node:fs';

/**
 * Runs `start`. When it throws: `stop(null)`, `dir` deleted, the error rethrown. Otherwise returns
 * what `start` gave and the fixture's stop: `stop(started)`, then `dir` deleted.
 */
export async function startOrTakeDown<T>(
  dir: string,
  start: () => Promise<T>,
  stop: (started: T | null) => Promise<void>,
): Promise<{ started: T; stop: () => Promise<void> }> {
  const takeDown = async (started: T | null) => {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  };
  let started: T;
  try {
    started = await start();
  } catch (e) {
    await takeDown(null);
    throw e;
  }
  return { started, stop: () => takeDown(started) };
}
