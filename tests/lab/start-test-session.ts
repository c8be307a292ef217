// Starts a real local cluster (LocalCluster processes) in a session for a test file, on ports in
// the lab's test range, and takes it all down again afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '../../server/lab/cluster/local-backend.ts';
import { ClusterSession, type SessionOptions } from '../../server/lab/session/cluster-session.ts';

export interface TestSession {
  session: ClusterSession;
  backend: LocalBackend;
  stop(): Promise<void>;
}

export async function startTestSession(basePort: number, options: SessionOptions = {}): Promise<TestSession> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'raft-lab-test-'));
  const backend = new LocalBackend({ size: 5, basePort, dataRoot });
  const session = new ClusterSession(backend, { pollIntervalMs: 0, followEvents: false, ...options });
  try {
    await session.start();
  } catch (e) {
    await session.stop();
    rmSync(dataRoot, { recursive: true, force: true });
    throw e;
  }
  return {
    session,
    backend,
    stop: async () => {
      await session.stop();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}
