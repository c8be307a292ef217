// The lab's REST API (docs/lab-api.md). Every failure becomes a LabError whose message a
// learner can act on: the lab's own `detail` when it sent one, otherwise what to check.
import type { ClusterInfo } from '../../server/contract/cluster-view.ts';
import type { ErrorBody } from '../../server/contract/errors.ts';
import type {
  ActionOutcome as ActionResponse,
  NotebookCell as Cell,
  NotebookLesson as Lesson,
  LessonOutputs,
  LessonSummary,
  RunMode,
  RunResult,
} from '../../server/contract/lab-api.ts';
import type { Trace } from '../../server/contract/trace.ts';

export class LabError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'LabError';
  }
}

type Fetch = typeof fetch;

export class LabClient {
  constructor(
    private readonly base = '',
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  lessons(): Promise<LessonSummary[]> {
    return this.call('GET', '/api/lessons');
  }

  lesson(id: string): Promise<Lesson> {
    return this.call('GET', `/api/lessons/${enc(id)}`);
  }

  /** The lesson's saved outputs (newest per cell) and the cluster generation now running. */
  outputs(lessonId: string): Promise<LessonOutputs> {
    return this.call('GET', `/api/lessons/${enc(lessonId)}/outputs`);
  }

  saveCell(lessonId: string, cellId: string, source: string): Promise<Cell> {
    // keepalive: a save started as the page unloads (a reload right after typing) still arrives.
    return this.call('PUT', `/api/lessons/${enc(lessonId)}/cells/${enc(cellId)}`, { source }, true);
  }

  addCell(lessonId: string, after: string | null, source: string): Promise<Cell> {
    return this.call('POST', `/api/lessons/${enc(lessonId)}/cells`, { after, type: 'http', source });
  }

  deleteCell(lessonId: string, cellId: string): Promise<unknown> {
    return this.call('DELETE', `/api/lessons/${enc(lessonId)}/cells/${enc(cellId)}`);
  }

  resetCell(lessonId: string, cellId: string): Promise<Cell> {
    return this.call('POST', `/api/lessons/${enc(lessonId)}/cells/${enc(cellId)}/reset`);
  }

  resetLesson(lessonId: string): Promise<Lesson> {
    return this.call('POST', `/api/lessons/${enc(lessonId)}/reset`);
  }

  run(
    lessonId: string,
    cellId: string,
    source?: string,
    step: { answer?: string; mode?: RunMode } = {},
  ): Promise<RunResult> {
    return this.call('POST', '/api/run', { lessonId, cellId, source, ...step });
  }

  /** Stop: ends the running cell and cancels every queued one. */
  stop(): Promise<{ stopped: number }> {
    return this.call('POST', '/api/run/stop', {});
  }

  cluster(): Promise<ClusterInfo> {
    return this.call('GET', '/api/cluster');
  }

  action(action: string): Promise<ActionResponse> {
    return this.call('POST', '/api/cluster/actions', { action, source: 'panel' });
  }

  /** A page of the lab's recording of the cluster (GET /api/trace). */
  trace(q: { since?: number; after?: number; limit?: number }): Promise<Trace> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(Math.floor(v)));
    return this.call('GET', `/api/trace?${params}`);
  }

  private async call<T>(method: string, path: string, body?: unknown, keepalive = false): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        keepalive,
      });
    } catch {
      throw new LabError(
        'Cannot reach the lab server. Is `npm start` still running? Start it again, then reload this page.',
        0,
        'unreachable',
      );
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // A non-JSON answer (e.g. a proxy's error page) is reported below as such.
    }
    if (!res.ok) {
      const err = (data ?? {}) as Partial<ErrorBody>;
      const detail =
        err.detail ?? `The lab answered ${res.status} ${res.statusText || ''} to ${method} ${path}.`.trim();
      throw new LabError(detail, res.status, err.error ?? `http_${res.status}`);
    }
    if (data === null && text) {
      throw new LabError(
        `The lab answered ${method} ${path} with something that is not JSON. Is this the Raft Lab server?`,
        res.status,
        'not_json',
      );
    }
    return data as T;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
