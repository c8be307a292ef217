// The instructor's JSON API under /api/classroom (docs/classroom.md): the dashboard's rows,
// progress as CSV, a learner's notebook read-only, reset or act on a learner's cluster (the
// projector's fault buttons), and follow-along. Every route needs the instructor's token.
import type { Static, TSchema } from '@sinclair/typebox';
import express, { type Request, type Router } from 'express';
import {
  type ClassroomView,
  FollowRequestSchema,
  MemberActionSchema,
  type MemberNotebookView,
} from '../../contract/classroom.ts';
import { parseWire } from '../../contract/wire-check.ts';
import { ApiError } from '../http/api-error.ts';
import type { Classroom } from './classroom.ts';
import { progressCsv } from './progress-csv.ts';

function checked<T extends TSchema>(schema: T, req: Request): Static<T> {
  const c = parseWire(schema, req.body ?? {});
  if (!c.ok) throw new ApiError(400, 'bad_request', c.detail);
  return c.value;
}

export function instructorRouter(classroom: Classroom, lessonsOf: () => ClassroomView['lessons']): Router {
  const r = express.Router();
  r.use(express.json({ limit: '16kb' }));
  const known = async (id: string) => {
    if (id !== 'instructor' && !classroom.roster.byId(id))
      throw new ApiError(
        404,
        'no_such_member',
        `nobody with id \`${id}\` joined this class; GET /api/classroom lists them`,
      );
    return classroom.member(id);
  };

  r.get('/', (_req, res) => {
    const view: ClassroomView = {
      joinCode: classroom.roster.joinCode,
      maxClusters: classroom.pool.options.maxClusters,
      policy: classroom.pool.options.policy,
      idleMs: classroom.pool.options.idleMs,
      running: classroom.pool.running().length,
      followAlong: classroom.followAlong,
      lessons: lessonsOf(),
      members: classroom.rows(),
    };
    res.json(view);
  });

  r.get('/progress.csv', (_req, res) => {
    res
      .type('text/csv')
      .attachment(`raft-lab-progress-${new Date().toISOString().slice(0, 10)}.csv`)
      .send(progressCsv(lessonsOf(), classroom.rows()));
  });

  r.get('/members/:id/lessons/:lessonId', async (req, res) => {
    const member = await known(String(req.params.id));
    const lesson = member.library.get(String(req.params.lessonId));
    const outcomes = Object.fromEntries(
      [...member.progress.outcomes]
        .filter(([key]) => key.startsWith(`${lesson.id}/`))
        .map(([key, o]) => [key.slice(lesson.id.length + 1), o]),
    );
    const view: MemberNotebookView = { member: { id: member.id, name: member.name }, lesson, outcomes };
    res.json(view);
  });

  // A fault button on the projector, or the dashboard's "reset cluster": the member's own
  // session runs it, queued with their cells, so it never races a run of theirs.
  r.post('/members/:id/actions', async (req, res) => {
    const { action } = checked(MemberActionSchema, req);
    const member = await known(String(req.params.id));
    const session = await classroom.pool.sessionFor(member);
    if (session !== member.session)
      throw new ApiError(
        409,
        'on_shared_cluster',
        `${member.name} has no cluster of their own right now (the class is full); nothing was done`,
      );
    try {
      res.json(await session.action(action, 'panel'));
    } catch (e) {
      throw new ApiError(400, 'bad_action', (e as Error).message);
    }
  });

  r.put('/follow', async (req, res) => {
    const { member } = checked(FollowRequestSchema, req);
    if (member !== null) {
      classroom.pool.warm(await known(member));
    }
    classroom.followAlong = member;
    res.json({ followAlong: member });
  });

  return r;
}
