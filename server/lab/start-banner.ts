// What the lab prints at start, in every mode (local, Compose, classroom, Swarm), and only what
// is true: addresses this machine has (never 0.0.0.0) or the one Compose publishes, what stops
// what, and in classroom mode the join code, the instructor's link and a warning that the lab
// is reachable from the network.
import { networkInterfaces } from 'node:os';

export interface BannerFacts {
  /** LAB_PUBLIC_URL when set (behind Compose or a swarm's published port), else found here. */
  publicUrl?: string;
  host: string;
  port: number;
  joinCode: string;
  /** null: the roster kept an earlier token, which is not stored in clear. */
  instructorToken: string | null;
  backend: string;
  maxClusters: number;
  policy: string;
  idleMinutes: number;
  lessonsDir: string;
  dir: string;
}

/** What a learner's cluster is, per classroom backend (classroom-main.ts's --backend). */
const CLASSROOM_CLUSTERS: Record<string, string> = {
  local: 'local node processes',
  docker: 'compose projects on this Docker engine',
  swarm: 'Docker Swarm stacks',
};

/** Addresses learners can type: this machine's non-internal IPv4 addresses for 0.0.0.0. */
export function reachableUrls(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::')
    return [`http://${host.includes(':') ? `[${host}]` : host}:${port}`];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? [])
      if (a.family === 'IPv4' && !a.internal) out.push(`http://${a.address}:${port}`);
  return out.length ? out : [`http://127.0.0.1:${port}`];
}

export function classroomBanner(f: BannerFacts): string {
  const urls = f.publicUrl ? [f.publicUrl] : reachableUrls(f.host, f.port);
  const local = f.host === '127.0.0.1' || f.host === 'localhost' || f.host === '::1';
  const instructorPath = '/classroom/dashboard';
  const lines = [
    '',
    'Raft Lab classroom is running.',
    local
      ? `  Only this machine can reach it (${f.host}); start with --host 0.0.0.0 for a room.`
      : `  WARNING: listening on ${f.host}:${f.port} — anyone on these networks can open it; they need the join code to use it.`,
    `  Learners open:      ${urls.join('   ')}`,
    `  Join code:          ${f.joinCode}`,
    f.instructorToken
      ? `  Instructor (keep this private): ${urls[0]}${instructorPath}?token=${f.instructorToken}`
      : `  Instructor: ${urls[0]}${instructorPath}?token=<the token printed when this class was created, or start with --instructor-token>`,
    `  Projector:          ${urls[0]}/classroom/projector (after signing in as instructor)`,
    `  Clusters: ${CLASSROOM_CLUSTERS[f.backend] ?? f.backend}, one per learner, at most ${f.maxClusters} at once (then: ${f.policy}), stopped after ${f.idleMinutes} min idle`,
    `  Lessons from ${f.lessonsDir}; roster, edits and progress in ${f.dir}`,
    '  Ctrl-C stops the lab and every learner cluster it started.',
  ];
  return lines.join('\n');
}

/**
 * The one-learner lab's last start-up line: where to open it (an address this machine has,
 * or LAB_PUBLIC_URL — Compose's published port, which the container cannot see) and what
 * stops what (under Compose, Ctrl-C in `docker compose logs` stops nothing).
 */
export function labBanner(f: {
  urls: string[];
  backend: string;
  inContainer: boolean;
  lessonsDir: string;
}): string {
  const stop =
    f.backend === 'local'
      ? 'Ctrl-C stops the lab and the cluster'
      : f.backend === 'docker'
        ? f.inContainer
          ? '`docker compose stop` stops the lab and the nodes, `docker compose down` removes them'
          : 'Ctrl-C stops the lab; the node containers keep running (`docker compose down` removes them)'
        : 'Ctrl-C stops the lab; the remote nodes are not ours to stop';
  return `\nRaft Lab is running: open ${f.urls.join('  or  ')}\n(lessons from ${f.lessonsDir}; ${stop})`;
}
