// Runs before `npm start` and `npm test` (prestart/pretest): makes a fresh clone work with
// one command. Installs npm packages when node_modules is missing or older than the lock
// file, and builds the web app when web/dist is missing or older than its sources.
// Plain JavaScript on purpose: it must run before tsx is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'node_modules', '.raft-lab-lock');

function run(cmd, args) {
  console.log(`[prepare] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(
      `[prepare] '${cmd} ${args.join(' ')}' failed (exit ${r.status}). Fix the error above and run the command again.`,
    );
    process.exit(r.status ?? 1);
  }
}

// Fresh when our stamp matches the lock file, or npm's own record of the last install
// (node_modules/.package-lock.json) is newer than it (e.g. right after `npm ci`).
const lockFile = join(root, 'package-lock.json');
const npmRecord = join(root, 'node_modules', '.package-lock.json');
const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const stampFresh = existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash;
const npmFresh = existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lockFile).mtimeMs;
if (!stampFresh && !npmFresh) run('npm', ['ci', '--no-audit', '--no-fund']);
if (!stampFresh) writeFileSync(stamp, lockHash);

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.name === 'dist' || name.name === 'node_modules') continue;
    const p = join(dir, name.name);
    t = Math.max(t, name.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const webIndex = join(root, 'web', 'index.html');
const builtIndex = join(root, 'web', 'dist', 'index.html');
if (
  existsSync(webIndex) &&
  (!existsSync(builtIndex) || statSync(builtIndex).mtimeMs < newest(join(root, 'web')))
) {
  run('npm', ['run', 'build']);
}
