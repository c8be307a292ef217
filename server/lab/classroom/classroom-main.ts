// `npm start -- --classroom`: the lab for a room (docs/classroom.md). Each learner who joins
// gets their own cluster, started on demand and stopped when idle; the instructor gets a
// dashboard and a projector view. Ctrl-C (or SIGTERM) stops the lab and every cluster.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { intFlag, UsageError } from '../cli-options.ts';
import { LocalBackend } from '../cluster/local-backend.ts';
import { nodeImage } from '../cluster/node-image.ts';
import { installShutdown } from '../lab-shutdown.ts';
import { classroomBanner } from '../start-banner.ts';
import type { BackendFactory } from './classroom.ts';
import { Classroom } from './classroom.ts';
import { startClassroomServer } from './classroom-server.ts';
import { portBlock } from './port-block.ts';
import { Roster } from './roster.ts';

export const CLASSROOM_USAGE = `Usage: npm start -- --classroom [options]

A lab for a room: every learner gets their own Raft cluster, the instructor a dashboard.

  --host H                 listen address (default 0.0.0.0: every network of this machine)
  --port N                 lab port (env PORT; default 8080)
  --backend local|docker|swarm
                           where learners' clusters run: node processes, a compose project each
                           on this machine's Docker, a stack each on a swarm (env LAB_BACKEND; default local)
  --base-port N            first node port; learner n uses 5 ports from N + 5·(n+1) (default 5001)
  --max-clusters N         at most N clusters at once (default 20)
  --when-full queue|shared when full: learners wait for a free cluster, or use one shared cluster (default queue)
  --idle-minutes M         stop a learner's cluster after M minutes without a request (default 15)
  --join-code CODE         the code learners type (default: random, kept across restarts)
  --instructor-token T     the instructor's token (env LAB_INSTRUCTOR_TOKEN; default: random, printed)
  --dir DIR                the class's folder: roster, learners' edits, progress, node data (default workspace/classroom)
  --lessons DIR            the lessons folder (default lessons/)
  --image IMAGE            docker, swarm: the node image (default raft-node:<version>; --swarm-image too)
  --dev                    serve the web app through Vite's dev server
  -h, --help               this text`;

export async function classroomMain(root: string, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      classroom: { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'string' },
      backend: { type: 'string' },
      'base-port': { type: 'string' },
      'max-clusters': { type: 'string' },
      'when-full': { type: 'string' },
      'idle-minutes': { type: 'string' },
      'join-code': { type: 'string' },
      'instructor-token': { type: 'string' },
      dir: { type: 'string' },
      lessons: { type: 'string' },
      image: { type: 'string' },
      'swarm-image': { type: 'string' },
      dev: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(CLASSROOM_USAGE);
    return;
  }
  const env = process.env;
  const kind = values.backend ?? env.LAB_BACKEND ?? 'local';
  if (kind !== 'local' && kind !== 'docker' && kind !== 'swarm')
    throw new UsageError(`in classroom mode --backend is local, docker or swarm, got \`${kind}\``);
  const policy = values['when-full'] ?? 'queue';
  if (policy !== 'queue' && policy !== 'shared')
    throw new UsageError(`--when-full must be queue or shared, got \`${policy}\``);
  const host = values.host ?? '0.0.0.0';
  const port = intFlag(values.port ?? env.PORT, '--port', 8080, 0, 65535);
  const basePort = intFlag(values['base-port'] ?? env.LAB_BASE_PORT, '--base-port', 5001, 1024, 65000);
  const maxClusters = intFlag(values['max-clusters'], '--max-clusters', 20, 1, 1000);
  const idleMinutes = Number(values['idle-minutes'] ?? 15);
  if (!(idleMinutes > 0)) throw new UsageError('--idle-minutes must be a number above 0, e.g. 15 or 0.5');
  const dir = resolve(values.dir ?? join(root, 'workspace', 'classroom'));
  const lessonsDir = resolve(values.lessons ?? join(root, 'lessons'));

  const roster = new Roster(dir, {
    joinCode: values['join-code'],
    instructorToken: values['instructor-token'] ?? env.LAB_INSTRUCTOR_TOKEN,
  });
  const backendFor: BackendFactory =
    kind === 'local'
      ? async (_id, slot, dataRoot) => {
          // Generous: at the start of a class many clusters start at once on a busy machine.
          return new LocalBackend({
            size: 5,
            basePort: portBlock(basePort, slot)[0]!,
            dataRoot,
            fresh: true,
            startTimeoutMs: 90_000,
          });
        }
      : await (async () => {
          const image = values.image ?? values['swarm-image'] ?? (await nodeImage(root));
          const classId = createHash('sha256').update(dir).digest('hex').slice(0, 8);
          if (kind === 'docker') {
            const { composeBackendFactory } = await import('../cluster/docker/compose-backend-factory.ts');
            return composeBackendFactory({ image, basePort, classId });
          }
          const { swarmBackendFactory } = await import('../cluster/swarm/swarm-backend-factory.ts');
          return swarmBackendFactory({ image, basePort, classId });
        })();
  const classroom = await Classroom.open(roster, {
    dir,
    lessonsDir,
    backendFor,
    pool: { maxClusters, policy, idleMs: idleMinutes * 60_000, queueWaitMs: 25_000 },
  });

  let server: Awaited<ReturnType<typeof startClassroomServer>> | null = null;
  const shutdown = installShutdown("the lab and every learner's cluster", async () => {
    await server?.close().catch(() => {});
    await classroom.stop().catch((e) => console.error('stopping the clusters failed:', e));
  });

  try {
    await classroom.startShared();
    server = await startClassroomServer(classroom, { host, port, root, dev: values.dev ?? false });
  } catch (e) {
    console.error(`The classroom could not start: ${(e as Error).message}`);
    await shutdown('start-up failed', 1);
    return;
  }
  classroom.pool.startReaper();
  console.log(
    classroomBanner({
      publicUrl: env.LAB_PUBLIC_URL,
      host,
      port: Number(new URL(server.url).port),
      joinCode: roster.joinCode,
      instructorToken:
        roster.newInstructorToken ?? values['instructor-token'] ?? env.LAB_INSTRUCTOR_TOKEN ?? null,
      backend: kind,
      maxClusters,
      policy,
      idleMinutes,
      lessonsDir,
      dir,
    }),
  );
}
