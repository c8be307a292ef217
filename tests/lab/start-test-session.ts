// Starts a real local cluster (LocalCluster processes) in a session for a test file, on ports in
// the lab's test range, and takes it all down again afterwards.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { CellType, RunResult } from '../../server/contract/lab-api.ts';
import { LocalBackend } from '../../server/lab/cluster/local-backend.ts';
import {
  type CellRun,
  ClusterSession,
  type SessionOptions,
} from '../../server/lab/session/cluster-session.ts';
import { startOrTakeDown } from '../support/start-or-take-down.ts';

export interface TestSession {
  session: ClusterSession;
  backend: LocalBackend;
  stop(): Promise<void>;
}

export async function startTestSession(basePort: number, options: SessionOptions = {}): Promise<TestSession> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'raft-lab-test-'));
  const backend = new LocalBackend({ size: 5, basePort, dataRoot });
  const session = new ClusterSession(backend, { pollIntervalMs: 0, followEvents: false, ...options });
  const { stop } = await startOrTakeDown(
    dataRoot,
    () => session.start(),
    () => session.stop(),
  );
  return { session, backend, stop };
}

export interface SuiteSession {
  /** The started session (inside the file's tests and later hooks). */
  readonly session: ClusterSession;
  readonly backend: LocalBackend;
  /** Runs a cell of the suite's lesson (cell id `x` unless `more` says otherwise). */
  run(type: CellType, source: string, more?: Partial<CellRun>): Promise<RunResult>;
  /** Runs a cell and expects it to pass, showing what failed when it does not. */
  expectOk(type: CellType, source: string): Promise<RunResult>;
}

/**
 * One session on five real nodes for a whole test file: started before its tests, then
 * `firstCell` (a cluster cell, default `wait leader 30s`) must pass; stopped and deleted after
 * them. Hooks the file registers after this call run after it.
 */
export function sessionForSuite(options: {
  basePort: number;
  lessonId: string;
  session?: SessionOptions;
  firstCell?: string | null;
  setupMs?: number;
}): SuiteSession {
  let started: TestSession | null = null;
  const ready = (): TestSession => {
    if (!started) throw new Error('the session is not there: its set-up failed or has not run yet');
    return started;
  };
  const suite: SuiteSession = {
    get session() {
      return ready().session;
    },
    get backend() {
      return ready().backend;
    },
    run: (type, source, more = {}) =>
      ready().session.run({ lessonId: options.lessonId, cellId: 'x', type, source, ...more }),
    async expectOk(type, source) {
      const r = await suite.run(type, source);
      expect(r.ok, JSON.stringify(r.cluster?.actions ?? r.check?.assertions ?? r.http ?? r.error)).toBe(true);
      return r;
    },
  };
  beforeAll(async () => {
    started = await startTestSession(options.basePort, options.session);
    const first = options.firstCell === undefined ? 'wait leader 30s' : options.firstCell;
    if (first !== null) await suite.expectOk('cluster', first);
  }, options.setupMs ?? 120_000);
  afterAll(async () => {
    await started?.stop();
  });
  return suite;
}
