// Classroom mode's `--backend swarm`: makes each member's SwarmBackend. Checks once that this
// engine is a swarm manager, removes stacks a killed earlier run of the same class left
// behind, and spreads learners over the swarm's ready machines (a learner's five nodes stay
// together on one machine, where their volumes are).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import type { BackendFactory } from '../../classroom/classroom.ts';
import { portBlock } from '../../classroom/port-block.ts';
import { socketFromEnv } from '../docker/discovery.ts';
import { removeStack } from './remove-stack.ts';
import { SwarmBackend } from './swarm-backend.ts';

export interface SwarmFactoryOptions {
  /** The node image; every machine of the swarm must have it (or reach a registry that does). */
  image: string;
  /** Learner n's nodes publish ports basePort + 5·slot … + 4 on their machine. */
  basePort: number;
  /** Names the class's stacks: `raftlab-<classId>-<member>`; labels every object it makes. */
  classId: string;
  /**
   * The address the lab reaches a machine's published ports at: default the machine's swarm
   * address (`docker node inspect`'s Status.Addr).
   */
  addressOf?: (node: { id: string; addr: string }) => string;
  docker?: Docker;
  /** How long a stack may take until every node answers (ms; default 180 s: images start slowly on a busy machine). */
  readyTimeoutMs?: number;
}

export async function swarmBackendFactory(o: SwarmFactoryOptions): Promise<BackendFactory> {
  const socketPath = socketFromEnv() ?? '/var/run/docker.sock';
  if (!o.docker && !existsSync(socketPath))
    throw new Error(
      `--backend swarm needs the Docker socket of a swarm manager, and ${socketPath} does not exist (docs/classroom.md, "On a Docker Swarm")`,
    );
  const docker = o.docker ?? new Docker({ socketPath });
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable)
    throw new Error(
      'this Docker engine is not a swarm manager: run `docker swarm init` here (and `docker swarm join` on the other machines), then start the lab again',
    );
  await removeStack(docker, null, o.classId);
  const nodes = (await docker.listNodes())
    .filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active')
    .map((n) => ({ id: n.ID!, addr: n.Status!.Addr! }))
    .sort((a, b) => a.id.localeCompare(b.id));
  if (nodes.length === 0) throw new Error('the swarm has no ready, active machine to run clusters on');
  // One token per lab run: only this lab can inject faults into its nodes.
  const adminToken = randomUUID();
  return async (memberId, slot) => {
    const machine = nodes[slot % nodes.length]!;
    return new SwarmBackend({
      docker,
      stack: `raftlab-${o.classId}-${memberId}`,
      classId: o.classId,
      image: o.image,
      ports: portBlock(o.basePort, slot),
      placement: { nodeId: machine.id, address: o.addressOf?.(machine) ?? machine.addr },
      adminToken,
      readyTimeoutMs: o.readyTimeoutMs ?? 180_000,
    });
  };
}
