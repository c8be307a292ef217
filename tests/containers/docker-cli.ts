// The Docker command line as the tests use it: the same commands an instructor types
// (docker build / run / compose), run with a time limit and their output kept for errors.

import { execFile } from 'node:child_process';

export interface Run {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command; rejects with its stderr when it fails or runs out of time. */
export function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        timeout: opts.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
      },
      (err, stdout, stderr) => {
        const ms = Date.now() - started;
        if (err) {
          const tail = `${stderr}\n${stdout}`.trim().split('\n').slice(-25).join('\n');
          const msg = `\`${cmd} ${args.join(' ')}\` failed after ${ms} ms (${err.message.split('\n')[0]}):\n${tail}`;
          // The whole output stays on the error for callers that pick the lines that matter.
          reject(Object.assign(new Error(msg), { stdout, stderr }));
        } else resolve({ stdout, stderr, ms });
      },
    );
  });
}

export const docker = (args: string[], opts?: Parameters<typeof run>[2]) => run('docker', args, opts);

/**
 * The first of 20 host ports for this test run: `from` plus a block chosen by pid, so that two
 * runs on one machine do not collide (blocks up to from + 799).
 */
export const pidPortBlock = (from: number): number => from + (process.pid % 40) * 20;

/** Whether a Docker engine answers, and if not, why (for the loud skip). */
export async function engineStatus(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const r = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
    return { ok: true, version: r.stdout.trim() };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const reason = /ENOENT/.test(msg)
      ? 'no `docker` command on this machine'
      : `the Docker engine does not answer: ${msg.split('\n').slice(-3).join(' ')}`;
    return {
      ok: false,
      reason: `${reason} (start one with \`bash ../shared/tools/container-engine.sh\` from the project root)`,
    };
  }
}

/**
 * engineStatus; when no engine answers, a banner names the skipped `test` (e.g. "the swarm test
 * (tests/containers/swarm.test.ts)"), why, and `untested`: what went untested, so a skip is seen.
 */
export async function engineStatusOrShout(test: string, untested: string) {
  const engine = await engineStatus();
  if (!engine.ok) shout([`SKIPPED: ${test}`, `reason: ${engine.reason}`, untested]);
  return engine;
}

/** `docker compose` (v2, or the v1 shim) when it answers, else Debian's `docker-compose` v1. */
export async function composeCommand(): Promise<string[]> {
  try {
    await docker(['compose', 'version'], { timeoutMs: 15_000 });
    return ['docker', 'compose'];
  } catch {
    await run('docker-compose', ['version'], { timeoutMs: 15_000 });
    return ['docker-compose'];
  }
}

/** Prints a banner that cannot be missed in a CI log. */
export function shout(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '!'.repeat(width);
  console.warn(['', bar, ...lines.map((l) => `! ${l.padEnd(width - 4)} !`), bar, ''].join('\n'));
}
