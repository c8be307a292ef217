// The lab's JSON API (docs/lab-api.md): lessons, runs and the cluster. Thin: it checks the
// request, calls the lesson library or the cluster session, and answers.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { CELL_TYPES, type CellType } from '../../lessons/lesson-types.ts';
import type { LessonLibrary } from '../lesson-library.ts';
import type { ClusterSession } from '../session/cluster-session.ts';
import { ApiError } from './api-error.ts';

/** Bigger than any sane cell, small enough that a browser cannot hurt the lab. */
export const JSON_BODY_LIMIT = '512kb';
const SOURCE_LIMIT = 256 * 1024;

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw new ApiError(400, 'bad_request', 'send a JSON object with Content-Type: application/json');
  }
  return b as Record<string, unknown>;
}

function stringField(b: Record<string, unknown>, name: string, optional: true): string | undefined;
function stringField(b: Record<string, unknown>, name: string, optional?: false): string;
function stringField(b: Record<string, unknown>, name: string, optional = false): string | undefined {
  const v = b[name];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') {
    throw new ApiError(
      400,
      'bad_request',
      `field \`${name}\` must be a string${optional ? ' when given' : ''}, got ${v === undefined ? 'nothing' : typeof v}`,
    );
  }
  if (v.length > SOURCE_LIMIT)
    throw new ApiError(413, 'too_large', `field \`${name}\` is over ${SOURCE_LIMIT / 1024} KiB`);
  return v;
}

export function apiRouter(library: LessonLibrary, session: ClusterSession): Router {
  const r = express.Router();
  r.use(express.json({ limit: JSON_BODY_LIMIT }));
  const p = (req: Request, name: string) => String(req.params[name]);

  r.get('/lessons', (_req, res) => {
    res.json(library.list());
  });
  r.get('/lessons/:id', (req, res) => {
    res.json(library.get(p(req, 'id')));
  });
  r.put('/lessons/:id/cells/:cellId', (req, res) => {
    res.json(library.saveCell(p(req, 'id'), p(req, 'cellId'), stringField(body(req), 'source')));
  });
  r.post('/lessons/:id/cells', (req, res) => {
    const b = body(req);
    const after = b.after ?? null;
    if (after !== null && typeof after !== 'string') {
      throw new ApiError(400, 'bad_request', '`after` must be a cell id or null (null = at the top)');
    }
    const type = b.type ?? 'http';
    if (typeof type !== 'string' || !CELL_TYPES.includes(type as CellType)) {
      throw new ApiError(400, 'bad_request', '`type` must be "http" or "cluster"');
    }
    res
      .status(201)
      .json(library.addScratch(p(req, 'id'), after, type as CellType, stringField(b, 'source', true) ?? ''));
  });
  r.delete('/lessons/:id/cells/:cellId', (req, res) => {
    library.deleteScratch(p(req, 'id'), p(req, 'cellId'));
    res.status(204).end();
  });
  r.post('/lessons/:id/cells/:cellId/reset', (req, res) => {
    res.json(library.resetCell(p(req, 'id'), p(req, 'cellId')));
  });
  r.post('/lessons/:id/reset', (req, res) => {
    const lesson = library.resetLesson(p(req, 'id'));
    session.forgetVariables(lesson.id);
    res.json(lesson);
  });

  r.post('/run', async (req, res) => {
    const b = body(req);
    const lessonId = stringField(b, 'lessonId');
    const cellId = stringField(b, 'cellId');
    const source = stringField(b, 'source', true);
    const cell = library.cell(lessonId, cellId);
    // Check cells are the lesson's tests: they always run as written.
    const run = cell.type === 'check' ? cell.original : (source ?? cell.source);
    res.json(await session.run({ lessonId, cellId, type: cell.type, source: run }));
  });

  r.get('/cluster', async (_req, res) => {
    res.json({
      backend: session.backend.kind,
      nodes: session.backend.nodes(),
      snapshot: await session.liveSnapshot(),
      faults: session.backend.faults,
    });
  });
  r.post('/cluster/actions', async (req, res) => {
    const b = body(req);
    const text = stringField(b, 'action');
    const source = b.source === 'cell' ? 'cell' : 'panel';
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
    res.status(err.status).json({ error: err.code, detail: err.detail, ...err.extra });
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
