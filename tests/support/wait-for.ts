// Waiting for a condition with a deadline: the tests' one way to wait for something to become
// true (never a fixed sleep before an assertion). Shared by the node, lab, e2e, web, container
// and Deno tests.

export interface WaitOptions {
  /** How long to keep asking before failing (default 5 s). */
  timeoutMs?: number;
  /** The pause between two asks (default 25 ms). */
  intervalMs?: number;
  /**
   * Keep asking when `probe` throws (e.g. a container still starting refuses connections); the
   * last error is named in the timeout error. By default an error ends the wait at once.
   */
  retryErrors?: boolean;
}

/**
 * Asks `probe` until it answers something other than undefined, null or false, and resolves to
 * that answer. An error thrown by `probe` ends the wait at once unless `retryErrors` (a probe
 * throws when waiting longer cannot help, e.g. the process it waits for has exited). `what`
 * names the awaited condition in the timeout error; a function is called then, to say what was
 * last seen.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 5000, intervalMs = 25, retryErrors = false }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const answer = await probe();
      if (answer !== undefined && answer !== null && answer !== false) return answer;
    } catch (err) {
      if (!retryErrors) throw err;
      lastError = `; last error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() > deadline) {
      const said = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${said}${lastError}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
