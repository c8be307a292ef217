// Waiting for a condition by polling it, for the benchmark's start-up and leader timings.

/**
 * Calls `probe` every `intervalMs` (after each answer) until it returns a non-null value;
 * resolves with that value. Rejects with `what` in the message after `timeoutMs`.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | null>,
  what: string,
  timeoutMs: number,
  intervalMs = 10,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Runs `launch` (starting a cluster's processes) while polling `leader` from the same moment;
 * resolves with the ms from launch to the first leader, so the figure includes process start.
 * Rejects with launch's error if it fails.
 */
export async function msToFirstLeader(
  launch: () => Promise<unknown>,
  leader: () => Promise<string | null>,
  timeoutMs: number,
): Promise<number> {
  const t0 = performance.now();
  let abandoned = false;
  const first = pollUntil(
    async () => {
      if (abandoned) throw new Error('the cluster failed to start');
      return (await leader()) !== null ? performance.now() - t0 : null;
    },
    'a first leader',
    timeoutMs,
  );
  first.catch(() => {}); // awaited below; a failed launch reports its own error
  try {
    await launch();
  } catch (e) {
    abandoned = true;
    throw e;
  }
  return Math.round(await first);
}
