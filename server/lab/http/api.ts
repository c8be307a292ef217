// The lab's JSON API (docs/lab-api.md): lessons, runs and the cluster. Thin: it checks the
// request, calls the lesson library or the cluster session, and answers.
import type { Static, TSchema } from '@sinclair/typebox';
import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { ClusterInfo } from '../../contract/cluster-view.ts';
import type { ErrorBody } from '../../contract/errors.ts';
import {
  ActionRequestSchema,
  AddCellSchema,
  isEditable,
  type LessonOutputs,
  NoFieldsSchema,
  RunRequestSchema,
  SaveCellSchema,
  SOURCE_LIMIT_CHARS,
} from '../../contract/lab-api.ts';
import { TraceQuerySchema } from '../../contract/trace.ts';
import { parseWire } from '../../contract/wire-check.ts';
import type { LessonLibrary } from '../lesson-library.ts';
import type { ClusterSession } from '../session/cluster-session.ts';
import { ApiError } from './api-error.ts';
import type { RunRate } from './run-rate.ts';

/** Bigger than any sane cell, small enough that a browser cannot hurt the lab. */
export const JSON_BODY_LIMIT = '512kb';

/**
 * The request's body checked against its contract schema (an absent body reads as {}): 413 for a
 * source over the limit, 400 naming the field for anything else. Nothing is done with a body
 * that fails.
 */
function checked<T extends TSchema>(schema: T, req: Request): Static<T> {
  const body: unknown = req.body ?? {};
  const source = (body as { source?: unknown }).source;
  if (typeof source === 'string' && source.length > SOURCE_LIMIT_CHARS) {
    throw new ApiError(413, 'too_large', `field \`source\` is over ${SOURCE_LIMIT_CHARS / 1024} KiB`);
  }
  const c = parseWire(schema, body);
  if (!c.ok) throw new ApiError(400, 'bad_request', c.detail);
  return c.value;
}

export function apiRouter(library: LessonLibrary, session: ClusterSession, runRate: RunRate): Router {
  const r = express.Router();
  r.use(express.json({ limit: JSON_BODY_LIMIT }));
  /** Runs and actions reach the cluster everyone shares: 429 past a client's rate (run-rate.ts). */
  const rateLimited = (req: Request, res: Response, next: NextFunction) => {
    const waitMs = runRate.take(req.socket.remoteAddress ?? 'unknown');
    if (waitMs === 0) return next();
    const seconds = Math.ceil(waitMs / 1000);
    res.setHeader('Retry-After', String(seconds));
    next(
      new ApiError(
        429,
        'too_many_runs',
        `this computer started runs faster than the lab allows; wait ${seconds} s, then run the cell again`,
      ),
    );
  };
  const p = (req: Request, name: string) => String(req.params[name]);

  r.get('/lessons', (_req, res) => {
    res.json(library.list());
  });
  r.get('/lessons/:id', (req, res) => {
    res.json(library.get(p(req, 'id')));
  });
  r.get('/lessons/:id/outputs', (req, res) => {
    const outputs: LessonOutputs = { generation: session.generation, results: library.outputs(p(req, 'id')) };
    res.json(outputs);
  });
  r.put('/lessons/:id/cells/:cellId', (req, res) => {
    res.json(library.saveCell(p(req, 'id'), p(req, 'cellId'), checked(SaveCellSchema, req).source));
  });
  r.post('/lessons/:id/cells', (req, res) => {
    const b = checked(AddCellSchema, req);
    res.status(201).json(library.addScratch(p(req, 'id'), b.after ?? null, b.type ?? 'http', b.source ?? ''));
  });
  r.delete('/lessons/:id/cells/:cellId', (req, res) => {
    library.deleteScratch(p(req, 'id'), p(req, 'cellId'));
    res.status(204).end();
  });
  r.post('/lessons/:id/cells/:cellId/reset', (req, res) => {
    checked(NoFieldsSchema, req);
    res.json(library.resetCell(p(req, 'id'), p(req, 'cellId')));
  });
  r.post('/lessons/:id/reset', (req, res) => {
    checked(NoFieldsSchema, req);
    const lesson = library.resetLesson(p(req, 'id'));
    session.forgetVariables(lesson.id);
    res.json(lesson);
  });

  r.post('/run', rateLimited, async (req, res) => {
    const { lessonId, cellId, source, answer, mode } = checked(RunRequestSchema, req);
    const cell = library.cell(lessonId, cellId);
    // Only http and cluster cells are the learner's to edit; the others always run as written.
    const run = isEditable(cell.type) ? (source ?? cell.source) : cell.original;
    const afterCellId = cell.type === 'predict' ? library.decidingCell(lessonId, cellId) : undefined;
    const result = await session.run({
      lessonId,
      cellId,
      type: cell.type,
      source: run,
      answer,
      mode,
      afterCellId,
    });
    // Kept with the learner's workspace, like a notebook's saved outputs: a reload shows it again.
    library.saveOutput(result);
    res.json(result);
  });
  r.post('/run/stop', (req, res) => {
    checked(NoFieldsSchema, req);
    res.json({ stopped: session.interrupt() });
  });

  r.get('/cluster', async (_req, res) => {
    const info: ClusterInfo = {
      backend: session.backend.kind,
      nodes: session.backend.nodes(),
      snapshot: await session.liveSnapshot(),
      faults: [...session.backend.faults],
    };
    res.json(info);
  });
  r.get('/trace', (req, res) => {
    const c = parseWire(TraceQuerySchema, { ...req.query });
    if (!c.ok) throw new ApiError(400, 'bad_request', c.detail);
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const trace = session.recorder.trace({
      after: num(c.value.after),
      since: num(c.value.since),
      limit: num(c.value.limit),
    });
    if (c.value.download === '1') {
      const stamp = new Date(trace.exported_at).toISOString().replace(/[:.]/g, '-');
      res.set('Content-Disposition', `attachment; filename="raft-lab-trace-${stamp}.json"`);
    }
    res.json(trace);
  });
  r.post('/cluster/actions', rateLimited, async (req, res) => {
    const b = checked(ActionRequestSchema, req);
    const text = b.action;
    const source = b.source ?? 'panel';
    let outcome: Awaited<ReturnType<ClusterSession['action']>>;
    try {
      outcome = await session.action(text, source);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(400, 'bad_action', (e as Error).message);
    }
    // Like a run: 200 whether the action worked or not; `ok` and `actions[0].detail` say which.
    res.json(outcome);
  });

  r.use((req, _res, next) =>
    next(
      new ApiError(404, 'not_found', `no API endpoint ${req.method} /api${req.path}; see docs/lab-api.md`),
    ),
  );
  r.use(apiErrorHandler);
  return r;
}

/** Every failure becomes `{error, detail}` JSON; nothing a browser sends crashes the lab. */
export function apiErrorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof ApiError) {
    const body: ErrorBody = { error: err.code, detail: err.detail };
    res.status(err.status).json({ ...body, ...err.extra });
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'bad_json', detail: `the body is not valid JSON: ${e.message}` });
  } else if (e?.type === 'entity.too.large') {
    res.status(413).json({ error: 'too_large', detail: `the body is over ${JSON_BODY_LIMIT}` });
  } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    res.status(e.status).json({ error: 'bad_request', detail: e.message ?? 'bad request' });
  } else {
    console.error('lab API error:', err);
    res
      .status(500)
      .json({ error: 'internal', detail: 'the lab failed to answer; the server log has details' });
  }
}

/**
 * The last handlers of a lab server (single-learner and classroom): what nothing else answered
 * is a 404 that says where the notebook is, and every failure becomes `{error, detail}`.
 */
export const labFallbacks: [RequestHandler, ErrorRequestHandler] = [
  (req, res) => {
    res
      .status(404)
      .json({ error: 'not_found', detail: `nothing at ${req.method} ${req.path}; the notebook is at /` });
  },
  apiErrorHandler,
];
