// The class as the lab holds it: the roster, one Member per learner (and one for the
// instructor) created on first use, the cluster pool, and what the projector and the
// "follow along" mode show. No HTTP here: classroom-server.ts wires it to express.
import { join } from 'node:path';
import type { MemberRowView } from '../../contract/classroom.ts';
import type { LessonSummary } from '../../contract/lab-api.ts';
import type { ClusterBackend } from '../cluster/backend.ts';
import { LessonLibrary } from '../lesson-library.ts';
import { ClusterSession } from '../session/cluster-session.ts';
import { Workspace } from '../workspace.ts';
import { ClusterPool, type PoolOptions } from './cluster-pool.ts';
import { Member } from './member.ts';
import { INSTRUCTOR_ID, type Roster } from './roster.ts';

/**
 * Makes the cluster backend of one member. `slot` is stable for the member for the lab's
 * lifetime (0 = instructor, 1 = shared fallback, n + 1 = learner ln), so a local backend can
 * derive its ports from it; `dataDir` is the member's own folder for node data.
 */
export type BackendFactory = (memberId: string, slot: number, dataDir: string) => Promise<ClusterBackend>;

export interface ClassroomOptions {
  /** Where members' folders live: <dir>/<memberId>/{workspace,progress.json,nodes}. */
  dir: string;
  lessonsDir: string;
  backendFor: BackendFactory;
  pool: Omit<PoolOptions, 'shared'>;
}

export class Classroom {
  readonly pool: ClusterPool;
  private readonly members = new Map<string, Member>();
  private readonly creating = new Map<string, Promise<Member>>();
  /** The lessons as written (for the dashboard's columns), whatever anyone edited. */
  private readonly catalog: LessonLibrary;
  /** Whose cluster learners see beside their own when following along (null = off). */
  followAlong: string | null = null;

  private constructor(
    readonly roster: Roster,
    private readonly options: ClassroomOptions,
    readonly shared: ClusterSession | null,
  ) {
    this.pool = new ClusterPool({ ...options.pool, shared: shared ?? undefined });
    this.catalog = new LessonLibrary(options.lessonsDir, new Workspace(join(options.dir, 'no-edits')));
  }

  lessons(): LessonSummary[] {
    return this.catalog.list().filter((l) => !l.error);
  }

  /** With policy `shared`, the shared fallback cluster is made (not started) here. */
  static async open(roster: Roster, options: ClassroomOptions): Promise<Classroom> {
    let shared: ClusterSession | null = null;
    if (options.pool.policy === 'shared') {
      shared = new ClusterSession(await options.backendFor('shared', 1, join(options.dir, 'shared')));
    }
    return new Classroom(roster, options, shared);
  }

  async startShared(): Promise<void> {
    await this.shared?.start();
  }

  /** The member with this id (a learner on the roster or the instructor), created on first use. */
  member(id: string): Promise<Member> {
    const known = this.members.get(id);
    if (known) return Promise.resolve(known);
    let pending = this.creating.get(id);
    if (!pending) {
      pending = this.create(id).finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    return pending;
  }

  /** Members created so far (those who used the lab in this run). */
  existing(id: string): Member | null {
    return this.members.get(id) ?? null;
  }

  /** One row per learner on the roster (instructor first), for the dashboard and the CSV. */
  rows(): MemberRowView[] {
    const people = [{ id: INSTRUCTOR_ID, name: 'Instructor' }, ...this.roster.learners()];
    return people.map(({ id, name }) => {
      const m = this.members.get(id);
      const place = m ? this.pool.queuePosition(m) : null;
      return {
        id,
        name,
        cluster: place !== null ? 'queued' : (m?.state ?? 'stopped'),
        queuePosition: place,
        progress: m?.progress.view() ?? {
          lesson: null,
          cell: null,
          passed: {},
          lastActivity: 0,
          health: null,
        },
      };
    });
  }

  async stop(): Promise<void> {
    await this.pool.stopAll();
    await this.shared?.stop();
  }

  private async create(id: string): Promise<Member> {
    const learner = id === INSTRUCTOR_ID ? { id, name: 'Instructor' } : this.roster.byId(id);
    if (!learner) throw new Error(`no member ${id} in this class`);
    const slot = id === INSTRUCTOR_ID ? 0 : Number(id.slice(1)) + 1;
    const dir = join(this.options.dir, id);
    const backend = await this.options.backendFor(id, slot, join(dir, 'nodes'));
    const member = new Member(id, learner.name, dir, this.options.lessonsDir, backend);
    this.members.set(id, member);
    this.pool.add(member);
    return member;
  }
}
