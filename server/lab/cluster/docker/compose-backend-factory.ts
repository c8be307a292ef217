// Classroom mode's `--backend docker`: makes each member's ComposeProjectBackend, a compose
// project of its own on this machine's Docker engine. Checks once that the engine answers and
// has the node image, and removes the projects a killed earlier run of the same class left.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import type { BackendFactory } from '../../classroom/classroom.ts';
import { portBlock } from '../../classroom/port-block.ts';
import { removeComposeProjects } from './compose-project.ts';
import { ComposeProjectBackend } from './compose-project-backend.ts';
import { socketFromEnv } from './discovery.ts';
import { describeEngineError } from './engine-errors.ts';

export interface ComposeFactoryOptions {
  /** The node image, raft-node:<package version> (build it with `docker build -t … .`). */
  image: string;
  /** Member slot n's nodes publish 127.0.0.1 ports basePort + 5·n … + 4. */
  basePort: number;
  /** Names the class's projects `raftlab-<classId>-<member>`; labels every object made. */
  classId: string;
  docker?: Docker;
  /** How long a project's nodes may take to answer (ms; default 120 s: containers start slowly on a busy machine). */
  readyTimeoutMs?: number;
}

export async function composeBackendFactory(o: ComposeFactoryOptions): Promise<BackendFactory> {
  const socketPath = socketFromEnv() ?? '/var/run/docker.sock';
  if (!existsSync(socketPath))
    throw new Error(
      `--backend docker needs the Docker socket, and ${socketPath} does not exist: start Docker on this machine (docs/classroom.md, "A compose project per learner")`,
    );
  const docker = o.docker ?? new Docker({ socketPath });
  try {
    await docker.getImage(o.image).inspect();
  } catch (e) {
    const missing = (e as { statusCode?: number }).statusCode === 404;
    throw new Error(
      missing
        ? `the node image ${o.image} is not on this machine: build it with \`docker build -t ${o.image} .\` in the project folder, then start the lab again`
        : `the Docker engine at ${socketPath} does not answer (${describeEngineError(e)}): is dockerd running?`,
    );
  }
  await removeComposeProjects(docker, { classId: o.classId });
  // One token per lab run: only this lab can inject faults into its nodes.
  const adminToken = randomUUID();
  return async (memberId, slot) => {
    return new ComposeProjectBackend({
      docker,
      socketPath,
      project: `raftlab-${o.classId}-${memberId}`,
      classId: o.classId,
      image: o.image,
      ports: portBlock(o.basePort, slot),
      adminToken,
      readyTimeoutMs: o.readyTimeoutMs ?? 120_000,
    });
  };
}
