// Classroom mode's HTTP bodies (docs/classroom.md): joining a class, and what the instructor's
// dashboard, projector and scripts send and get.
import type { Static } from '@sinclair/typebox';
import { Body, Nullable, Text } from './fields.ts';
import { ActionRequestSchema, type LessonSummary, type NotebookLesson } from './lab-api.ts';

/** POST /join (a form or JSON). */
export const JoinRequestSchema = Body('a join body', {
  name: Text('your name', { maxLength: 200 }),
  code: Text("the class's join code", { maxLength: 100 }),
});
export type JoinRequest = Static<typeof JoinRequestSchema>;

/** PUT /api/classroom/follow: whose cluster learners see beside their own (null: nobody's). */
export const FollowRequestSchema = Body('a follow body', {
  member: Nullable(
    Text('a member id such as "instructor" or "l3"', { maxLength: 40 }),
    'a member id or null',
  ),
});
export type FollowRequest = Static<typeof FollowRequestSchema>;

/** POST /api/classroom/members/:id/actions: the lab's own action body. */
export const MemberActionSchema = ActionRequestSchema;

export interface ClusterHealthView {
  leader: string | null;
  term: number;
  nodesUp: number;
  nodes: number;
}

/** One row of the dashboard. */
export interface MemberRowView {
  id: string;
  name: string;
  cluster: 'stopped' | 'starting' | 'running' | 'stopping' | 'queued';
  queuePosition: number | null;
  progress: {
    lesson: string | null;
    cell: string | null;
    /** lessonId → check cell ids whose latest run passed. */
    passed: Record<string, string[]>;
    /** Epoch ms; 0 = never. */
    lastActivity: number;
    health: ClusterHealthView | null;
  };
}

/** GET /api/classroom */
export interface ClassroomView {
  joinCode: string;
  maxClusters: number;
  policy: 'queue' | 'shared';
  idleMs: number;
  running: number;
  followAlong: string | null;
  lessons: LessonSummary[];
  members: MemberRowView[];
}

/** The last run of a cell, for the read-only notebook. */
export interface CellOutcomeView {
  ok: boolean;
  count: number;
  at: number;
  note: string;
}

/** GET /api/classroom/members/:id/lessons/:lessonId */
export interface MemberNotebookView {
  member: { id: string; name: string };
  lesson: NotebookLesson;
  /** cellId → its last run. */
  outcomes: Record<string, CellOutcomeView>;
}

/** GET /api/classroom/whoami (any member): who this browser is, and whether follow-along is on. */
export interface WhoAmIView {
  id: string;
  name: string;
  instructor: boolean;
  followAlong: string | null;
}
