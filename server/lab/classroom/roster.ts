// Who is in the class: the join code, the instructor's token, and every learner who joined
// (id, name, a secret the browser keeps in a cookie). Kept in <dir>/roster.json so that a
// learner's cookie still works after the lab restarts; only a SHA-256 of each secret is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Learner {
  /** "l1", "l2", … in joining order; also the name of the learner's workspace folder. */
  id: string;
  name: string;
  joinedAt: number;
}

interface StoredLearner extends Learner {
  secretHash: string;
}

interface RosterFile {
  joinCode: string;
  instructorHash: string;
  learners: StoredLearner[];
}

/** The instructor is a member too (their own cluster is the projector's default). */
export const INSTRUCTOR_ID = 'instructor';
/** Long enough to tell learners apart on the dashboard, short enough for a projector. */
const NAME_MAX_CHARS = 40;

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const secret = () => randomBytes(24).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a join was refused, in words for the learner. */
export class JoinRefused extends Error {}

export class Roster {
  private data: RosterFile;
  private readonly file: string;
  /** Set only when this run made the instructor token (printed once at start). */
  readonly newInstructorToken: string | null = null;

  /**
   * Opens (or creates) the roster in `dir`. `joinCode`/`instructorToken` override the stored ones
   * (an instructor may choose them); otherwise a stored roster keeps its own, a new one gets
   * random ones.
   */
  constructor(dir: string, options: { joinCode?: string; instructorToken?: string } = {}) {
    this.file = join(dir, 'roster.json');
    mkdirSync(dir, { recursive: true });
    let stored: RosterFile | null = null;
    try {
      stored = JSON.parse(readFileSync(this.file, 'utf8')) as RosterFile;
    } catch {
      stored = null;
    }
    let token = options.instructorToken ?? null;
    if (!token && !stored) token = secret();
    this.data = {
      joinCode: options.joinCode ?? stored?.joinCode ?? randomBytes(3).toString('hex').toUpperCase(),
      instructorHash: token ? hash(token) : stored!.instructorHash,
      learners: stored?.learners ?? [],
    };
    if (token && !options.instructorToken) this.newInstructorToken = token;
    this.save();
  }

  get joinCode(): string {
    return this.data.joinCode;
  }

  learners(): Learner[] {
    return this.data.learners.map(({ id, name, joinedAt }) => ({ id, name, joinedAt }));
  }

  byId(id: string): Learner | null {
    return this.learners().find((l) => l.id === id) ?? null;
  }

  /** The learner whose cookie holds `secret`, or null. */
  bySecret(value: string | undefined): Learner | null {
    if (!value) return null;
    const h = hash(value);
    const l = this.data.learners.find((s) => sameHash(s.secretHash, h));
    return l ? { id: l.id, name: l.name, joinedAt: l.joinedAt } : null;
  }

  isInstructor(token: string | undefined): boolean {
    return !!token && sameHash(hash(token), this.data.instructorHash);
  }

  /**
   * Adds a learner; returns them with the secret for their cookie. Throws JoinRefused for a
   * wrong code or an unusable name.
   */
  join(name: string, code: string): { learner: Learner; secret: string } {
    if (code.trim().toUpperCase() !== this.data.joinCode.toUpperCase())
      throw new JoinRefused(
        'That is not this class’s join code: look at the projector (or ask the instructor).',
      );
    const clean = name.replace(/\s+/g, ' ').trim();
    if (clean === '') throw new JoinRefused('Type your name, so the instructor can tell who you are.');
    if (clean.length > NAME_MAX_CHARS)
      throw new JoinRefused(`A name of at most ${NAME_MAX_CHARS} characters, please.`);
    const s = secret();
    let n = this.data.learners.length + 1;
    while (this.data.learners.some((l) => l.id === `l${n}`)) n++;
    const learner: Learner = { id: `l${n}`, name: clean, joinedAt: Date.now() };
    this.data.learners.push({ ...learner, secretHash: hash(s) });
    this.save();
    return { learner, secret: s };
  }

  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
