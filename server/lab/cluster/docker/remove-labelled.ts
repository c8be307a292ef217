// Removing what a cluster backend made (a compose project's, a swarm stack's) by label. The engine
// removes a container, and lets go of a volume or network, a while after it accepted the request,
// so each step retries until nothing is listed and says what is left when it gives up, instead of
// leaving it behind silently. One home for both backends (compose-project.ts, swarm/remove-stack.ts).
import type Docker from 'dockerode';

/** How long one removal step may take (ms); the engine is slow on a busy machine. */
export const STEP_TIMEOUT_MS = 60_000;
/** How often a step asks the engine again (ms). */
export const POLL_MS = 250;

/** A label filter as the Engine API takes it, e.g. `{ label: ['raft-lab.class=3f2a'] }`. */
export type LabelFilters = { label: string[] };

/**
 * Removes every object `list` names until it names none; throws with the last refusal after 60 s.
 */
export async function removeUntilGone(
  kind: 'container' | 'volume' | 'network',
  list: () => Promise<string[]>,
  remove: (name: string) => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const left = await list();
    if (left.length === 0) return;
    const refusals = await Promise.all(
      left.map((name) =>
        remove(name).then(
          () => null,
          // 404: removed meanwhile (a list may still name it for a moment).
          (err: { statusCode?: number; message?: string }) =>
            err?.statusCode === 404 ? null : `${name}: ${err?.message ?? String(err)}`,
        ),
      ),
    );
    const refused = refusals.filter((r) => r !== null);
    if (refused.length === 0) continue;
    if (Date.now() >= deadline)
      throw new Error(
        `could not remove ${refused.join('; ')}. Once nothing uses it, \`docker ${kind} rm <name>\` removes it`,
      );
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Removes every volume carrying `filters`' labels (removeUntilGone's retries and errors). */
export function removeLabelledVolumes(docker: Docker, filters: LabelFilters): Promise<void> {
  return removeUntilGone(
    'volume',
    async () => ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name),
    (name) => docker.getVolume(name).remove(),
  );
}

/**
 * Removes every network `list` names (by default: those carrying `filters`' labels), with
 * removeUntilGone's retries and errors; a network stays "in use" a while after its containers went.
 */
export function removeLabelledNetworks(
  docker: Docker,
  filters: LabelFilters,
  list: () => Promise<string[]> = async () => (await docker.listNetworks({ filters })).map((n) => n.Name),
): Promise<void> {
  return removeUntilGone('network', list, (name) => docker.getNetwork(name).remove());
}
