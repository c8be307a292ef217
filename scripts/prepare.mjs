// Runs before `npm start` and `npm test` (prestart/pretest): makes a fresh clone work with
// one command. Installs npm packages when node_modules is missing or older than the lock
// file, and builds the web app when web/dist is missing or older than its sources — saying
// what it does and how long it has been at it, so a first start is never a silent minute.
// Plain JavaScript on purpose: it must run before tsx is installed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'node_modules', '.raft-lab-lock');
const seconds = (ms) => `${Math.round(ms / 1000)} s`;
const say = (line) => console.log(`[prepare] ${line}`);

/** Runs a command with its output shown, saying every 15 s that it is still going. */
function run(what, cmd, args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    const beat = setInterval(() => say(`… still ${what} (${seconds(Date.now() - started)})`), 15_000);
    child.on('exit', (code) => {
      clearInterval(beat);
      if (code !== 0) {
        console.error(
          `[prepare] '${cmd} ${args.join(' ')}' failed (exit ${code}). Fix the error above and run the command again.`,
        );
        process.exit(code ?? 1);
      }
      resolve(Date.now() - started);
    });
  });
}

// Fresh when our stamp matches the lock file, or npm's own record of the last install
// (node_modules/.package-lock.json) is newer than it (e.g. right after `npm ci`).
const lockFile = join(root, 'package-lock.json');
const npmRecord = join(root, 'node_modules', '.package-lock.json');
const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const stampFresh = existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash;
const npmFresh = existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lockFile).mtimeMs;
if (!stampFresh && !npmFresh) {
  say(
    `installing the npm packages (npm ci: ${existsSync(join(root, 'node_modules')) ? 'package-lock.json changed' : 'first run'}; about a minute)…`,
  );
  // --loglevel=error: npm's notices about deprecated packages deep in the tree (none of which
  // the lab calls) would read like failures on a first start; `npm ci` alone shows them.
  const ms = await run('installing', 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  say(`npm packages installed in ${seconds(ms)}`);
}
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
  say(
    `building the web app into web/dist (vite build: ${existsSync(builtIndex) ? 'web/ changed since the last build' : 'first run'}; 20–60 s)…`,
  );
  const ms = await run('building', 'npm', ['run', '--silent', 'build']);
  say(`web app built in ${seconds(ms)}`);
}
say('npm packages and web app are up to date');
