// The instructor's side of the lab's API (docs/classroom.md): the class, a learner's notebook,
// actions on a learner's cluster, follow-along. Errors carry the lab's own `detail`.
import type { ClassroomView, MemberNotebookView } from '../../../server/contract/classroom.ts';
import type { ActionOutcome } from '../../../server/contract/lab-api.ts';
import { LabClient, LabError } from '../lab-client.ts';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => ({}))) as { error?: string; detail?: string };
  if (!res.ok)
    throw new LabError(parsed.detail ?? `the lab answered ${res.status}`, res.status, parsed.error ?? 'http');
  return parsed as T;
}

export const classroomApi = {
  view: () => call<ClassroomView>('GET', '/api/classroom'),
  notebook: (member: string, lesson: string) =>
    call<MemberNotebookView>(
      'GET',
      `/api/classroom/members/${encodeURIComponent(member)}/lessons/${encodeURIComponent(lesson)}`,
    ),
  action: (member: string, action: string) =>
    call<ActionOutcome>('POST', `/api/classroom/members/${encodeURIComponent(member)}/actions`, {
      action,
      source: 'panel',
    }),
  follow: (member: string | null) =>
    call<{ followAlong: string | null }>('PUT', '/api/classroom/follow', { member }),
};

/**
 * The notebook's client with its cluster actions sent to one member's cluster (the projector's
 * buttons); `null` for learners following along, who watch the shared cluster but cannot act on it.
 */
export class MemberClusterClient extends LabClient {
  constructor(private readonly member: string | null) {
    super();
  }

  override action(action: string): Promise<ActionOutcome> {
    if (this.member === null)
      return Promise.reject(
        new LabError(
          'this is the class’s shared cluster: try faults on your own cluster, in the notebook',
          403,
          'read_only',
        ),
      );
    return classroomApi.action(this.member, action);
  }
}
