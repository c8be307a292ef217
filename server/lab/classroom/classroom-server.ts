// Classroom mode's HTTP side: the join page, the instructor's pages and API, and the lab's own
// API and live channel — each request bound to the member it comes from, so that no learner
// can see, run cells against or reset another's cluster or workspace.
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { JoinRequestSchema, type WhoAmIView } from '../../contract/classroom.ts';
import { parseWire } from '../../contract/wire-check.ts';
import { createLimitedServer, DEFAULT_SERVER_LIMITS } from '../../http/server-limits.ts';
import { apiErrorHandler, labFallbacks } from '../http/api.ts';
import { ApiError } from '../http/api-error.ts';
import { type LabServer, listenLab } from '../http/lab-server.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { serveWebApp, webAppPolicy } from '../http/web-app.ts';
import { attachLiveChannel, LIVE_PATH } from '../live/live-channel.ts';
import type { ClusterSession } from '../session/cluster-session.ts';
import type { Classroom } from './classroom.ts';
import { instructorRouter } from './instructor-api.ts';
import { INSTRUCTOR_ONLY_PAGE, joinPage } from './join-page.ts';
import type { Member } from './member.ts';
import {
  INSTRUCTOR_COOKIE,
  isInstructor,
  LEARNER_COOKIE,
  memberIdOf,
  setSignInCookie,
} from './member-identity.ts';
import { JoinRefused } from './roster.ts';

export interface ClassroomServerOptions {
  host: string;
  port: number;
  root: string;
  dev: boolean;
}

/** The instructor's pages: the nice path → the built page of the web app. */
const INSTRUCTOR_PAGES: Record<string, string> = {
  '/classroom': 'dashboard.html',
  '/classroom/dashboard': 'dashboard.html',
  '/classroom/projector': 'projector.html',
};

export async function startClassroomServer(
  classroom: Classroom,
  options: ClassroomServerOptions,
): Promise<LabServer> {
  const app = express();
  app.disable('x-powered-by');
  // The same slow-client limits and headers as the single-learner lab (lab-server.ts).
  const server = createLimitedServer(app, DEFAULT_SERVER_LIMITS);
  app.use(
    securityHeaders(webAppPolicy(options, ['index.html', ...new Set(Object.values(INSTRUCTOR_PAGES))])),
  );
  const roster = classroom.roster;
  const memberOf = async (req: IncomingMessage): Promise<Member | null> => {
    const id = memberIdOf(req, roster);
    return id ? classroom.member(id) : null;
  };

  // ---- joining
  app.get('/join', (req, res) => {
    if (memberIdOf(req, roster)) res.redirect(303, '/');
    else res.type('html').send(joinPage());
  });
  app.post(
    '/join',
    express.urlencoded({ extended: false, limit: '4kb' }),
    express.json({ limit: '4kb' }),
    (req, res) => {
      const form = req.is('application/json') === false;
      const c = parseWire(JoinRequestSchema, req.body ?? {});
      try {
        if (!c.ok) throw new JoinRefused(`Type your name and the join code (${c.detail}).`);
        const { learner, secret } = roster.join(c.value.name, c.value.code);
        setSignInCookie(res, LEARNER_COOKIE, secret);
        if (form) res.redirect(303, '/');
        else res.status(201).json({ id: learner.id, name: learner.name });
      } catch (e) {
        if (!(e instanceof JoinRefused)) throw e;
        if (form)
          res
            .status(403)
            .type('html')
            .send(joinPage(e.message, c.ok ? c.value.name : ''));
        else res.status(403).json({ error: 'join_refused', detail: e.message });
      }
    },
  );

  // The built pages use relative asset paths (Vite's base './'): under /classroom/ they ask here.
  if (!options.dev) app.use('/classroom/assets', express.static(join(options.root, 'web', 'dist', 'assets')));

  // ---- the instructor: sign in with the printed link, then the pages and the API
  app.get(Object.keys(INSTRUCTOR_PAGES), (req, res, next) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token !== undefined) {
      if (!roster.isInstructor(token)) {
        res.status(403).type('html').send(INSTRUCTOR_ONLY_PAGE);
        return;
      }
      setSignInCookie(res, INSTRUCTOR_COOKIE, token);
      // The token leaves the address bar (and the projector's screen) at once.
      const rest = new URLSearchParams(req.query as Record<string, string>);
      rest.delete('token');
      res.redirect(303, `${req.path}${rest.size ? `?${rest}` : ''}`);
      return;
    }
    if (!isInstructor(req, roster)) {
      res.status(403).type('html').send(INSTRUCTOR_ONLY_PAGE);
      return;
    }
    if (options.dev) return next();
    res.sendFile(join(options.root, 'web', 'dist', INSTRUCTOR_PAGES[req.path]!));
  });
  const instructorOnly = (req: Request, _res: Response, next: NextFunction) =>
    next(
      isInstructor(req, roster)
        ? undefined
        : new ApiError(
            401,
            'instructor_only',
            "this is the instructor's API: open the link the lab printed at start, or send Authorization: Bearer <token>",
          ),
    );
  app.use(
    '/api/classroom',
    instructorOnly,
    instructorRouter(classroom, () => classroom.lessons()),
    apiErrorHandler,
  );

  // ---- every member: who am I, then the lab's API bound to their library and cluster
  app.get('/api/whoami', async (req, res) => {
    const member = await memberOf(req);
    if (!member) throw notJoined();
    const view: WhoAmIView = {
      id: member.id,
      name: member.name,
      instructor: member.id === 'instructor',
      followAlong: classroom.followAlong,
    };
    res.json(view);
  });
  app.use('/api', async (req, res, next) => {
    if (req.path === '/live') return next();
    const member = await memberOf(req);
    if (!member) throw notJoined();
    const lesson = /^\/lessons\/([^/]+)/.exec(req.path)?.[1];
    member.progress.touch(lesson ? decodeURIComponent(lesson) : undefined);
    let api = member.api;
    if (req.path === '/run' || req.path.startsWith('/cluster')) {
      const session = await classroom.pool.sessionFor(member);
      if (session !== member.session) api = member.apiOnShared(session);
    }
    if (req.method === 'POST' && req.path === '/run') {
      // The dashboard's grid comes from the member's own run results (also on the shared cluster).
      const json = res.json.bind(res);
      res.json = (body) => {
        if (res.statusCode === 200) member.progress.ran(body);
        return json(body);
      };
    }
    if (req.method === 'POST' && lesson && req.path.endsWith('/reset') && !req.path.includes('/cells/'))
      member.progress.forgetLesson(decodeURIComponent(lesson));
    api(req, res, next);
  });

  // ---- follow-along: any member watches the cluster the instructor shares (read-only)
  app.get('/classroom/follow', (req, res, next) => {
    if (!memberIdOf(req, roster)) res.redirect(303, '/join');
    else if (options.dev) next();
    else res.sendFile(join(options.root, 'web', 'dist', 'projector.html'));
  });

  // ---- the notebook: only for members; others are sent to the join page
  app.get(['/', '/index.html'], (req, res, next) => {
    if (memberIdOf(req, roster)) next();
    else res.redirect(303, '/join');
  });
  await serveWebApp(app, server, options);
  app.use(labFallbacks);

  const wss = attachLiveChannel(server, async (req) => {
    const member = await memberOf(req);
    if (!member) return { refused: 'join the class first (open /join)' };
    const params = new URL(req.url ?? '/', 'http://lab').searchParams;
    const watch = params.get('member');
    const follow = params.get('follow') === '1';
    let target: ClusterSession = member.session;
    if (watch && watch !== member.id) {
      // The projector: only the instructor watches someone else's cluster.
      if (member.id !== 'instructor' || (watch !== 'instructor' && !roster.byId(watch)))
        return { refused: 'only the instructor can watch another cluster' };
      const watched = await classroom.member(watch);
      classroom.pool.warm(watched);
      target = watched.session;
    } else if (follow) {
      if (!classroom.followAlong) return { refused: 'the instructor has not turned on follow-along' };
      target = (await classroom.member(classroom.followAlong)).session;
    } else {
      classroom.pool.warm(member);
    }
    return target;
  });
  if (!options.dev) {
    server.on('upgrade', (req, socket) => {
      if (new URL(req.url ?? '/', 'http://lab').pathname !== LIVE_PATH) socket.destroy();
    });
  }
  return listenLab(server, wss, options);
}

function notJoined(): ApiError {
  return new ApiError(
    401,
    'not_joined',
    'join the class first: open /join and type your name and the join code',
  );
}
