// A learner without a browser: joins a classroom lab with a name and the join code, then runs
// lessons cell by cell through the lab's API exactly as the notebook would (Run all). Used by
// `npm run bench:classroom` and the classroom tests.
import type { NotebookLesson, RunResult } from '../../server/contract/lab-api.ts';
import { failureLines, runPassed } from '../../server/lab/headless/run-lessons.ts';

export interface LessonOutcome {
  lessonId: string;
  /** Check cells in the lesson, and how many ran and passed. */
  checks: number;
  passed: number;
  /** "cellId: why" for every cell that did not pass. */
  failures: string[];
}

export class SimulatedLearner {
  private constructor(
    readonly base: string,
    readonly id: string,
    readonly name: string,
    /** The Cookie header this learner sends. */
    readonly cookie: string,
  ) {}

  /** Joins the class; throws with the lab's own words when it refuses. */
  static async join(base: string, name: string, code: string): Promise<SimulatedLearner> {
    const res = await fetch(`${base}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, code }),
    });
    const body = (await res.json()) as { id?: string; detail?: string };
    if (res.status !== 201) throw new Error(`join refused (${res.status}): ${body.detail}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return new SimulatedLearner(base, body.id!, name, cookie);
  }

  /** One API call as this learner; answers the status and parsed JSON (or text). */
  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T };
  }

  /**
   * Runs a lesson as `npm run lessons:check` does, but through the classroom's API: from a
   * fresh cluster (the panel's reset; `reset: false` when it has just started), every cell as
   * written, stopping at the first that fails or whose prediction nothing in the cluster bore out.
   */
  async runLesson(lessonId: string, { reset: fresh = true } = {}): Promise<LessonOutcome> {
    const reset = fresh
      ? await this.call<{ ok: boolean; detail?: string }>('POST', '/api/cluster/actions', { action: 'reset' })
      : { status: 200, body: { ok: true } };
    if (reset.status !== 200 || !reset.body.ok)
      return {
        lessonId,
        checks: 0,
        passed: 0,
        failures: [`reset: HTTP ${reset.status} ${JSON.stringify(reset.body)}`],
      };
    const lesson = await this.call<NotebookLesson>('GET', `/api/lessons/${encodeURIComponent(lessonId)}`);
    if (lesson.status !== 200) throw new Error(`lesson ${lessonId}: ${JSON.stringify(lesson.body)}`);
    const cells = lesson.body.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
    const out: LessonOutcome = {
      lessonId,
      checks: cells.filter((c) => c.type === 'check').length,
      passed: 0,
      failures: [],
    };
    for (const cell of cells) {
      // `default`, as Run all does: a predict or choose cell takes the lesson's answer, an act
      // cell does its `do:` lines; the prediction is judged when its deciding cell runs.
      const run = await this.call<RunResult & { detail?: string }>('POST', '/api/run', {
        lessonId,
        cellId: cell.id,
        mode: 'default',
      });
      if (run.status !== 200) {
        out.failures.push(`${cell.id}: HTTP ${run.status} ${run.body.detail ?? ''}`);
        break;
      }
      if (!runPassed(run.body)) {
        out.failures.push(`${cell.id}: ${failureLines(run.body).join('; ')}`);
        break;
      }
      if (cell.type === 'check') out.passed++;
    }
    return out;
  }
}
