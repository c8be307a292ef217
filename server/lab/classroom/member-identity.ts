// Who a request comes from in classroom mode: the learner whose cookie it carries, or the
// instructor (cookie, or `Authorization: Bearer <token>` for scripts). Cookies are HttpOnly,
// SameSite=Lax and last 30 days, so a browser restart keeps the learner signed in.
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { INSTRUCTOR_ID, type Roster } from './roster.ts';

export const LEARNER_COOKIE = 'raft_lab_learner';
export const INSTRUCTOR_COOKIE = 'raft_lab_instructor';
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** The request's cookies (the Cookie header's `name=value; …`, values URI-decoded). */
export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    try {
      out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed value is as good as none.
    }
  }
  return out;
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}

export function isInstructor(req: IncomingMessage, roster: Roster): boolean {
  return roster.isInstructor(cookiesOf(req).get(INSTRUCTOR_COOKIE)) || roster.isInstructor(bearer(req));
}

/** The member id this request acts as ("instructor", "l3"), or null for someone who has not joined. */
export function memberIdOf(req: IncomingMessage, roster: Roster): string | null {
  if (isInstructor(req, roster)) return INSTRUCTOR_ID;
  return roster.bySecret(cookiesOf(req).get(LEARNER_COOKIE))?.id ?? null;
}

export function setSignInCookie(res: Response, name: string, value: string): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', maxAge: MAX_AGE_MS, path: '/' });
}
