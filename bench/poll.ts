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
