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
