// Compile-time only (never imported): what the lab server sends must read as the web app's
// mirror of the contract in lab-types.ts, so the two cannot drift apart unnoticed.
// `npm run typecheck` fails here when a server type changes and the mirror does not.

import type { ClusterSnapshot as ServerSnapshot } from '../../server/lab/cluster/snapshot.ts';
import type {
  NotebookCell,
  NotebookLesson,
  LessonSummary as ServerLessonSummary,
} from '../../server/lab/lesson-library.ts';
import type { HelloMessage, LiveMessage as ServerLiveMessage } from '../../server/lab/live/live-messages.ts';
import type { RunResult as ServerRunResult } from '../../server/lab/run/run-cell.ts';
import type { Cell, ClusterSnapshot, Lesson, LessonSummary, LiveMessage, RunResult } from './lab-types.ts';

/** Compiles only when `Sent` can be read as `Read`. */
type Readable<Sent extends Read, Read> = [Sent, Read];

export type Contract = [
  Readable<ServerLessonSummary, LessonSummary>,
  Readable<NotebookCell, Cell>,
  Readable<NotebookLesson, Lesson>,
  Readable<ServerRunResult, RunResult>,
  Readable<ServerSnapshot, ClusterSnapshot>,
  Readable<ServerLiveMessage | HelloMessage, LiveMessage>,
];
