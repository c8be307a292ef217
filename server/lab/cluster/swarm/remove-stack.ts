// Removing what the swarm backend made: a stack's services, then — once their containers are
// gone — its volumes and overlay network. Each step waits for the engine to finish (it removes
// containers, and lets go of a network, a while after it accepted the request) and says what is
// left when it gives up, instead of leaving it behind silently.
import type Docker from 'dockerode';
import {
  POLL_MS,
  removeLabelledNetworks,
  removeLabelledVolumes,
  STEP_TIMEOUT_MS,
} from '../docker/remove-labelled.ts';

/** Every object the backend makes carries it (value: the class id), so a later run can find leftovers. */
export const CLASS_LABEL = 'raft-lab.class';
/** Docker's own stack label: `docker stack ls` and `docker stack rm` see our stacks. */
export const STACK_LABEL = 'com.docker.stack.namespace';

/**
 * Waits until no container of the service `service` exists on the engine the lab talks to
 * (at most 60 s). Throws, naming the service, when one is still there.
 */
export async function untilNoContainers(docker: Docker, service: string): Promise<void> {
  const filters = { label: [`com.docker.swarm.service.name=${service}`] };
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const left = await docker.listContainers({ all: true, filters });
    if (left.length === 0) return;
    if (Date.now() >= deadline)
      throw new Error(
        `the container of ${service} (${left.map((c) => `${c.Names?.[0] ?? c.Id} ${c.State}`).join(', ')}) is still there ${STEP_TIMEOUT_MS / 1000} s after its task was stopped: \`docker service ps ${service} --no-trunc\` shows why`,
      );
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Removes one stack (or, with `classId`, every stack of that class): services first, then —
 * once their containers are gone — volumes and networks, retrying while the engine still holds
 * them (a network stays "in use" until the swarm has dropped the removed services' tasks).
 * Throws, naming what is left and how to remove it, after 60 s per step. Volumes on other
 * machines of a multi-host swarm are left (Docker removes a volume only through its own
 * engine): docs/classroom.md.
 */
export async function removeStack(docker: Docker, stack: string | null, classId?: string): Promise<void> {
  const label = stack ? `${STACK_LABEL}=${stack}` : `${CLASS_LABEL}=${classId}`;
  const filters = { label: [label] };
  const services = await docker.listServices({ filters });
  await Promise.all(
    services.map((s) =>
      docker
        .getService(s.ID)
        .remove()
        .catch(() => {}),
    ),
  );
  for (const s of services) await untilNoContainers(docker, s.Spec!.Name!);
  await removeLabelledVolumes(docker, filters);
  await removeLabelledNetworks(docker, filters);
}
