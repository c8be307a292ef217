// Starts classroom mode in this process for a test file: a roster and class folder in a temp
// directory, local clusters on ports from `basePort` (5 per member), the fixture lessons, and
// takes every cluster and the folder down again afterwards.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BackendFactory, Classroom } from '../../server/lab/classroom/classroom.ts';
import { startClassroomServer } from '../../server/lab/classroom/classroom-server.ts';
import type { PoolOptions } from '../../server/lab/classroom/cluster-pool.ts';
import { Roster } from '../../server/lab/classroom/roster.ts';
import { LocalBackend } from '../../server/lab/cluster/local-backend.ts';
import type { LabServer } from '../../server/lab/http/lab-server.ts';
import { startOrTakeDown } from '../support/start-or-take-down.ts';
import { FIXTURE_LESSONS } from './start-test-lab.ts';

export const INSTRUCTOR_TOKEN = 'test-instructor-token';
export const JOIN_CODE = 'RAFT42';

export interface TestClassroom {
  classroom: Classroom;
  lab: LabServer;
  dir: string;
  /** Headers that make a request the instructor's. */
  instructor: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestClassroom(
  basePort: number,
  pool: Partial<Omit<PoolOptions, 'shared'>> = {},
  lessonsDir = FIXTURE_LESSONS,
  backendFor?: BackendFactory,
): Promise<TestClassroom> {
  const dir = mkdtempSync(join(tmpdir(), 'raft-lab-class-'));
  const roster = new Roster(dir, { joinCode: JOIN_CODE, instructorToken: INSTRUCTOR_TOKEN });
  const classroom = await Classroom.open(roster, {
    dir,
    lessonsDir,
    backendFor:
      backendFor ??
      (async (_id, slot, dataRoot) =>
        new LocalBackend({
          size: 5,
          basePort: basePort + slot * 5,
          dataRoot,
          fresh: true,
          startTimeoutMs: 90_000,
        })),
    pool: { maxClusters: 10, policy: 'queue', idleMs: 600_000, queueWaitMs: 1000, ...pool },
  });
  const { started: lab, stop } = await startOrTakeDown(
    dir,
    async () => {
      await classroom.startShared();
      return startClassroomServer(classroom, {
        host: '127.0.0.1',
        port: 0,
        root: resolve(import.meta.dirname, '../..'),
        dev: false,
      });
    },
    async (server) => {
      await server?.close();
      await classroom.stop();
    },
  );
  return {
    classroom,
    lab,
    dir,
    instructor: { authorization: `Bearer ${INSTRUCTOR_TOKEN}` },
    stop,
  };
}
