// One learner's compose project, made through the Docker Engine API as `docker compose up -d`
// would make docker-compose.yml's node services: a network `<project>_raft`, a volume
// `<project>_nodeN-data` and a container `<project>-nodeN-1` per node, with compose's own labels
// (so discovery.ts finds them, and `docker compose -p <project> ps/down -v` sees them) and the
// class label (so a later lab can remove what a crashed one left). Made here rather than by
// running `docker compose` per learner: no CLI process per learner, no generated compose file,
// and the engine's answers (errors included) come back to the lab directly.
import type Docker from 'dockerode';
import { CLASS_LABEL } from '../swarm/remove-stack.ts';
import { PARTITION_LABEL, PROJECT_LABEL, ROLE_LABEL } from './discovery.ts';
import { removeLabelledNetworks, removeLabelledVolumes, removeUntilGone } from './remove-labelled.ts';

const SERVICE_LABEL = 'com.docker.compose.service';
const NETWORK_LABEL = 'com.docker.compose.network';
const VOLUME_LABEL = 'com.docker.compose.volume';
/** The port every node listens on inside its container (docker-compose.yml's PORT). */
const NODE_PORT = 5000;
export const PROJECT_SIZE = 5;

export interface ComposeProjectSpec {
  /** The compose project name, e.g. "raftlab-3f2a9c1d-l2": prefix of every object's name. */
  project: string;
  classId: string;
  /** raft-node:<package version>: the image whose code matches the lab's (docs/docker.md). */
  image: string;
  /** Loopback ports node1…node5 publish on (one block the lab allocated to this learner). */
  ports: number[];
  adminToken: string;
}

/** The URL the lab (and learners' cells) reach node `i` (1-based) at: its published loopback port. */
export function publishedNodeUrl(spec: ComposeProjectSpec, i: number): string {
  return `http://127.0.0.1:${spec.ports[i - 1]}`;
}

/**
 * Creates and starts the project's network, volumes and five node containers (whatever of them
 * already exists is removed first: a project is always made fresh). Resolves once the engine
 * started every container (not once the nodes answer: DockerBackend waits for that). Rejects
 * with the engine's error, e.g. a port already taken or the image missing.
 */
export async function createComposeProject(docker: Docker, spec: ComposeProjectSpec): Promise<void> {
  await removeComposeProjects(docker, { project: spec.project });
  const labels = { [PROJECT_LABEL]: spec.project, [CLASS_LABEL]: spec.classId };
  const network = `${spec.project}_raft`;
  await docker.createNetwork({ Name: network, Labels: { ...labels, [NETWORK_LABEL]: 'raft' } });
  const ids = Array.from({ length: PROJECT_SIZE }, (_, i) => String(i + 1));
  const containers = await Promise.all(
    ids.map(async (id) => {
      const service = `node${id}`;
      const volume = `${spec.project}_${service}-data`;
      await docker.createVolume({ Name: volume, Labels: { ...labels, [VOLUME_LABEL]: `${service}-data` } });
      const peers = ids
        .filter((p) => p !== id)
        .map((p) => `node${p}:${NODE_PORT}`)
        .join(',');
      return docker.createContainer({
        name: `${spec.project}-${service}-1`,
        Image: spec.image,
        Env: [
          `NODE_ID=${id}`,
          `PORT=${NODE_PORT}`,
          `PEERS=${peers}`,
          // What the node names in redirects and leader_url: where the lab and the learner's cells reach it.
          `ADVERTISE_URL=${publishedNodeUrl(spec, Number(id))}`,
          `ADMIN_TOKEN=${spec.adminToken}`,
        ],
        Labels: { ...labels, [SERVICE_LABEL]: service, [ROLE_LABEL]: 'node' },
        ExposedPorts: { [`${NODE_PORT}/tcp`]: {} },
        // The image's healthcheck is for `docker compose ps`; the lab polls /status itself, and a
        // probe is a process started in the container every 5 s (measured: docs/classroom.md).
        Healthcheck: { Test: ['NONE'] },
        HostConfig: {
          Binds: [`${volume}:/data`],
          PortBindings: {
            [`${NODE_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(spec.ports[Number(id) - 1]) }],
          },
          // A killed node stays down until the lesson restarts it, as a killed process does.
          RestartPolicy: { Name: 'no' },
          NetworkMode: network,
        },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [service] } } },
      });
    }),
  );
  await Promise.all(containers.map((c) => c.start()));
}

/**
 * Removes one project (`{ project }`) or every project of a class (`{ classId }`, what a crashed
 * lab left): containers (forced: a frozen or running node goes too), then volumes, then the
 * project's network and the partition networks the docker backend made for it. Throws, naming
 * what is left and how to remove it, when the engine still refuses after 60 s.
 */
export async function removeComposeProjects(
  docker: Docker,
  which: { project: string } | { classId: string },
): Promise<void> {
  // By class: only what carries compose's project label too (a swarm stack of the class does not).
  const filters = {
    label:
      'project' in which
        ? [`${PROJECT_LABEL}=${which.project}`]
        : [`${CLASS_LABEL}=${which.classId}`, PROJECT_LABEL],
  };
  const containers = await docker.listContainers({ all: true, filters });
  const projects = new Set(containers.map((c) => c.Labels[PROJECT_LABEL]!));
  if ('project' in which) projects.add(which.project);
  await removeUntilGone(
    'container',
    async () => (await docker.listContainers({ all: true, filters })).map((c) => c.Id),
    (id) => docker.getContainer(id).remove({ force: true, v: true }),
  );
  await removeLabelledVolumes(docker, filters);
  await removeLabelledNetworks(docker, filters, async () => {
    const own = await docker.listNetworks({ filters });
    // A partition network carries only its project (partition-networks.ts), not the class.
    const partitions = await docker.listNetworks({ filters: { label: [PARTITION_LABEL] } });
    return [
      ...own.map((n) => n.Name),
      ...partitions.filter((n) => projects.has(n.Labels?.[PARTITION_LABEL] ?? '')).map((n) => n.Name),
    ];
  });
}
