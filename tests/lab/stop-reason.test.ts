// Why a run stopped reaches the learner: their own Stop, or the lab shutting down (Ctrl-C, or
// SIGTERM ending a headless `lessons:check`), which must not claim "you pressed Stop".
import { describe, expect, it } from 'vitest';
import { STOPPED_ERROR, stoppedError } from '../../server/lab/run/run-cell.ts';
import { pause, RunStopped } from '../../server/lab/run/run-context.ts';
import { RunQueue } from '../../server/lab/session/run-queue.ts';

/** Starts a job that waits until it is stopped; answers the RunStopped it was stopped with. */
async function stoppedJob(queue: RunQueue): Promise<{ stopped: Promise<RunStopped> }> {
  let started!: () => void;
  const running = new Promise<void>((r) => {
    started = r;
  });
  const stopped = queue.enqueue(async (signal) => {
    started();
    return pause(60_000, signal).then(
      () => {
        throw new Error('the job was not stopped');
      },
      (e: unknown) => e as RunStopped,
    );
  });
  await running;
  return { stopped };
}

describe('a stopped run says why it stopped', () => {
  it("the learner's Stop is reported as their Stop", async () => {
    const queue = new RunQueue();
    const { stopped } = await stoppedJob(queue);
    queue.interrupt();
    const e = await stopped;
    expect(e).toBeInstanceOf(RunStopped);
    expect(e.reason).toBe('stop');
    expect(stoppedError(e.reason)).toBe(STOPPED_ERROR);
  });

  it('a lab shutting down is reported as the shutdown, not as a Stop the learner never pressed', async () => {
    const queue = new RunQueue();
    const { stopped } = await stoppedJob(queue);
    queue.interrupt('shutdown');
    const e = await stopped;
    expect(e.reason).toBe('shutdown');
    expect(stoppedError(e.reason).message).toMatch(/^Stopped: the lab is shutting down/);
  });
});
