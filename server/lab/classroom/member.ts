// One member of the class (a learner, or the instructor): their own lesson library over their
// own workspace folder, their own cluster session (started on demand by the pool), their
// progress, and the lab API bound to exactly those — nothing in it can reach another member's.
import { join } from 'node:path';
import type { Router } from 'express';
import type { ClusterBackend } from '../cluster/backend.ts';
import { apiRouter } from '../http/api.ts';
import { DEFAULT_RUN_RATE, RunRate } from '../http/run-rate.ts';
import { LessonLibrary } from '../lesson-library.ts';
import { ClusterSession } from '../session/cluster-session.ts';
import { Workspace } from '../workspace.ts';
import { Progress } from './progress.ts';

export type ClusterState = 'stopped' | 'starting' | 'running' | 'stopping';

export class Member {
  readonly library: LessonLibrary;
  readonly session: ClusterSession;
  readonly progress: Progress;
  /** The lab API on this member's library and cluster. */
  readonly api: Router;
  state: ClusterState = 'stopped';
  /** Set while a start is under way, so that concurrent requests wait for the same start. */
  starting: Promise<void> | null = null;
  /** The lab API on this member's library and the class's shared cluster (the fallback). */
  private sharedApi: Router | null = null;
  /** Each learner's own rate limit (run-rate.ts): a class behind one NAT address shares no bucket. */
  private readonly runRate = new RunRate(DEFAULT_RUN_RATE);

  constructor(
    readonly id: string,
    readonly name: string,
    /** The member's folder: workspace/ (edits), progress.json. */
    readonly dir: string,
    lessonsDir: string,
    backend: ClusterBackend,
  ) {
    this.library = new LessonLibrary(lessonsDir, new Workspace(join(dir, 'workspace')));
    this.session = new ClusterSession(backend);
    this.progress = new Progress(dir);
    this.session.hub.subscribe((m) => this.progress.observe(m));
    this.api = apiRouter(this.library, this.session, this.runRate);
  }

  /** The lab API with this member's edits but the shared cluster's runs. */
  apiOnShared(shared: ClusterSession): Router {
    this.sharedApi ??= apiRouter(this.library, shared, this.runRate);
    return this.sharedApi;
  }
}
