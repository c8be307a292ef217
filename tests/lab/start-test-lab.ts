// Starts the lab's HTTP side for API tests on a `remote` backend whose nodes are not running:
// the lesson endpoints need no cluster, and runs meet real "connection refused" answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RemoteBackend } from '../../server/lab/cluster/remote-backend.ts';
import { type LabServer, type LabServerOptions, startLabServer } from '../../server/lab/http/lab-server.ts';
import { LessonLibrary } from '../../server/lab/lesson-library.ts';
import { ClusterSession } from '../../server/lab/session/cluster-session.ts';
import { Workspace } from '../../server/lab/workspace.ts';

export const FIXTURE_LESSONS = resolve(import.meta.dirname, '../fixtures/lessons');

export interface TestLab {
  lab: LabServer;
  session: ClusterSession;
  workspaceDir: string;
  stop(): Promise<void>;
}

export async function startTestLab(
  lessonsDir: string,
  nodePorts: number[],
  options: Pick<LabServerOptions, 'limits' | 'runRate'> = {},
): Promise<TestLab> {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'raft-lab-ws-'));
  const backend = new RemoteBackend({
    nodes: nodePorts.map((p) => `http://127.0.0.1:${p}`),
    adminToken: 'test',
  });
  const session = new ClusterSession(backend, { pollIntervalMs: 0, followEvents: false });
  const library = new LessonLibrary(lessonsDir, new Workspace(workspaceDir));
  const lab = await startLabServer(library, session, {
    host: '127.0.0.1',
    port: 0,
    root: resolve(import.meta.dirname, '../..'),
    dev: false,
    ...options,
  });
  return {
    lab,
    session,
    workspaceDir,
    stop: async () => {
      await lab.close();
      rmSync(workspaceDir, { recursive: true, force: true });
    },
  };
}
