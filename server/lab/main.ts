// `npm start`: a fresh local cluster of real node processes, then the lab on
// http://127.0.0.1:8080. Ctrl-C (or SIGTERM) stops the lab and every node it started.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKEND_FLAGS, BACKEND_HELP, backendChoice, intFlag, UsageError } from './cli-options.ts';
import { createBackend } from './cluster/create-backend.ts';
import { LocalBackend } from './cluster/local-backend.ts';
import { startLabServer } from './http/lab-server.ts';
import { installShutdown } from './lab-shutdown.ts';
import { LessonLibrary } from './lesson-library.ts';
import { ClusterSession } from './session/cluster-session.ts';
import { labBanner, reachableUrls } from './start-banner.ts';
import { Workspace } from './workspace.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const USAGE = `Usage: npm start -- [options]     (or: npx tsx server/lab/main.ts [options])

Starts a Raft cluster and the Raft Lab notebook on it.

  --host H                        listen address (default 127.0.0.1: only this machine)
  --port N                        lab port (env PORT; default 8080)
  --workspace DIR                 where learners' edits and outputs are saved (default workspace/)
  --dev                           serve the web app through Vite's dev server (npm run dev)
  --classroom                     a lab for a room: a cluster per learner, an instructor's dashboard
                                  (npm start -- --classroom --help; docs/classroom.md)
${BACKEND_HELP}
  -h, --help                      this text`;

async function main(): Promise<void> {
  if (process.argv.includes('--classroom')) {
    const { classroomMain } = await import('./classroom/classroom-main.ts');
    return classroomMain(ROOT, process.argv.slice(2));
  }
  const { values } = parseArgs({
    options: {
      ...BACKEND_FLAGS,
      host: { type: 'string' },
      port: { type: 'string' },
      workspace: { type: 'string' },
      dev: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const choice = backendChoice(values, join(ROOT, 'data', 'lab'));
  const host = values.host ?? '127.0.0.1';
  const port = intFlag(values.port ?? process.env.PORT, '--port', 8080, 0, 65535);
  const lessonsDir = resolve(values.lessons ?? join(ROOT, 'lessons'));
  const workspaceDir = resolve(values.workspace ?? join(ROOT, 'workspace'));

  // A fresh cluster at every start: the nodes' data of a previous run is wiped.
  const backend = await createBackend({ ...choice, fresh: true });
  const session = new ClusterSession(backend);
  let server: Awaited<ReturnType<typeof startLabServer>> | null = null;

  const shutdown = installShutdown('the lab and the cluster', async () => {
    await server?.close().catch(() => {});
    await session.stop().catch((e) => console.error('stopping the cluster failed:', e));
  });

  const what =
    choice.kind === 'local'
      ? `${choice.size} local nodes on ports ${choice.basePort}–${choice.basePort + choice.size - 1}`
      : `the ${choice.kind} cluster`;
  console.log(`Starting ${what}…`);
  try {
    await session.start();
    const library = new LessonLibrary(lessonsDir, new Workspace(workspaceDir));
    server = await startLabServer(library, session, { host, port, root: ROOT, dev: values.dev ?? false });
  } catch (e) {
    console.error(`The lab could not start: ${(e as Error).message}`);
    await shutdown('start-up failed', 1);
    return;
  }
  const pids = backend instanceof LocalBackend ? backend.pids() : [];
  for (const [i, node] of backend.nodes().entries()) {
    console.log(`  ${node.name}  ${node.url}${pids[i] ? `  (pid ${pids[i]})` : ''}`);
  }
  console.log(
    labBanner({
      urls: process.env.LAB_PUBLIC_URL
        ? [process.env.LAB_PUBLIC_URL]
        : reachableUrls(host, Number(new URL(server.url).port)),
      backend: choice.kind,
      inContainer: existsSync('/.dockerenv'),
      lessonsDir,
    }),
  );
}

main().catch((e) => {
  if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
