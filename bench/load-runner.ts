// Runs a load generator as a child process (the shared ../shared/bench/load.mjs for writes and
// failover, read-load.ts for reads) and returns the JSON line it prints. Children are tracked
// so that Ctrl-C or a failure stops them too.

import { type ChildProcess, spawn } from 'node:child_process';

const running = new Set<ChildProcess>();

/** Kills every load generator still running (SIGKILL: they hold no state worth keeping). */
export function killLoadGenerators(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

export interface LoadRun {
  result: Record<string, unknown>;
  /** performance.now() when the child was started. */
  startedAt: number;
}

/**
 * Runs `node <argv>` and resolves with the last JSON object it printed on stdout.
 * `onStart` is called right after the spawn (e.g. to start sampling CPU).
 */
export function runLoad(
  argv: string[],
  env: Record<string, string> = {},
  onStart?: () => void,
): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const startedAt = performance.now();
    running.add(child);
    onStart?.();
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', (e) => {
      running.delete(child);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      running.delete(child);
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (code === 0 && line) {
        try {
          resolve({ result: JSON.parse(line) as Record<string, unknown>, startedAt });
          return;
        } catch {
          // fall through to the error below
        }
      }
      reject(
        new Error(
          `${argv.slice(0, 2).join(' ')} ${signal ? `was killed by ${signal}` : `exited ${code}`}: ${err.trim().slice(-1500) || out.trim().slice(-500)}`,
        ),
      );
    });
  });
}
