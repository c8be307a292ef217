// How a lab process ends: once, whatever asks first (Ctrl-C, SIGTERM, SIGHUP, a parent that is
// gone, a failed start), stopping what it started before it exits. Used by `npm start` and the
// classroom lab.

/**
 * Installs the process's exit paths and returns `shutdown(why, code = 0)`: it logs `why`, runs
 * `stop` (which must not throw: it reports its own failures) and exits with `code`. Later calls
 * return the same promise, so a second Ctrl-C does not stop things twice. `what` names what is
 * stopped, for the log line ("the lab and the cluster").
 */
export function installShutdown(
  what: string,
  stop: () => Promise<void>,
): (why: string, code?: number) => Promise<void> {
  let stopping: Promise<void> | null = null;
  const shutdown = (why: string, code = 0) => {
    stopping ??= (async () => {
      console.log(`\n${why}: stopping ${what}…`);
      await stop();
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));
  // Started through a wrapper (tsx, npm) that was killed outright? Then nobody can stop us: stop.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('the parent process is gone');
  }, 1000).unref();
  // A bug must not take the clusters down with it, nor leave them running unattended.
  process.on('unhandledRejection', (e) => console.error('unexpected error (the lab keeps running):', e));
  return shutdown;
}
