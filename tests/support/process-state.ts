// What the kernel says about a process the tests started: the checks behind "no process is
// left behind" and "the node is frozen" (Linux: reads /proc/<pid>/stat).

import { readFileSync } from 'node:fs';

/** The one-letter state of `pid` (R, S, T = stopped, Z = zombie…), or null when there is no such process. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself hold spaces or parentheses: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
  } catch {
    return null;
  }
}

/** True while `pid` runs; a zombie (dead, not yet reaped by whoever inherited it) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = processState(pid);
  return state !== null && state !== 'Z';
}
