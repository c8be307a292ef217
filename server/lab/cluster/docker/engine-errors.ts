// The Docker engine's refusals, said for a person, and the ones that mean "already done".

interface EngineError {
  statusCode?: number;
  json?: { message?: string };
  reason?: string;
  message?: string;
}

export function isEngineError(err: unknown): boolean {
  return typeof (err as EngineError)?.statusCode === 'number';
}

export function describeEngineError(err: unknown): string {
  const e = err as EngineError;
  if (typeof e?.statusCode === 'number') {
    return `the Docker engine answered ${e.statusCode}: ${e.json?.message ?? e.reason ?? e.message ?? 'no detail'}`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function ignoreStatus(p: Promise<unknown>, ok: (e: EngineError) => boolean): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!ok(err as EngineError)) throw err;
  }
}

export const ignoreNotPaused = (p: Promise<unknown>) =>
  ignoreStatus(p, (e) => /not paused|is not running/i.test(e.json?.message ?? ''));
export const ignoreNotConnected = (p: Promise<unknown>) =>
  ignoreStatus(p, (e) => e.statusCode === 404 || /is not connected/i.test(e.json?.message ?? ''));
export const ignoreAlreadyConnected = (p: Promise<unknown>) =>
  ignoreStatus(
    p,
    (e) => e.statusCode === 403 || /already exists|already connected/i.test(e.json?.message ?? ''),
  );

/**
 * Pauses a container, trying again when the engine's freezer gives up ("unable to freeze": the
 * cgroup v1 freezer cannot stop a process that sits in an uninterruptible disk wait, e.g. a
 * node's fsync on a busy disk; the runtime thaws the container again). Up to `attempts` tries,
 * `backoffMs` × attempt apart; then the last refusal, said for a person.
 */
export async function pauseContainer(
  pause: () => Promise<unknown>,
  name: string,
  attempts = 5,
  backoffMs = 250,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pause();
      return;
    } catch (err) {
      const freezeFailed = /unable to freeze/i.test((err as EngineError).json?.message ?? '');
      if (!freezeFailed) throw err;
      if (attempt >= attempts) {
        throw new Error(
          `the Docker engine could not freeze ${name} in ${attempts} tries (its processes kept waiting on the disk, usual on a very busy machine); ${name} is still running: run the pause again`,
        );
      }
      await new Promise((r) => setTimeout(r, backoffMs * attempt));
    }
  }
}
