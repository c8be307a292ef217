// What a failed cell prints in `lessons:check` (console and JUnit share these lines).
import { describe, expect, it } from 'vitest';
import type { HttpEntryResult, RunResult } from '../../server/contract/lab-api.ts';
import { BODY_EXCERPT_CHARS, failureLines } from '../../server/lab/headless/run-lessons.ts';

function httpRun(entry: Partial<HttpEntryResult>): RunResult {
  const e: HttpEntryResult = {
    request: { method: 'POST', url: 'http://127.0.0.1:14501/client_command', headers: {}, body: '{}' },
    hops: [],
    response: null,
    attempts: 1,
    asserts: [],
    captures: [],
    ok: false,
    error: null,
    ...entry,
  };
  return {
    runId: 'r1',
    lessonId: 'l',
    cellId: 'c1',
    type: 'http',
    ok: false,
    count: 1,
    startedAt: 0,
    durationMs: 1,
    error: null,
    variables: {},
    http: { entries: [e] },
    cluster: null,
    check: null,
  };
}

const response = (status: number, bodyText: string) => ({
  status,
  headers: {},
  body: null,
  bodyText,
  truncated: false,
  durationMs: 3,
});

describe('failureLines', () => {
  it('shows the response body of a failed http cell, so a 503 says its error and detail', () => {
    const body = '{\n  "error": "no_leader",\n  "detail": "no leader is known; retry shortly"\n}';
    const lines = failureLines(
      httpRun({
        response: response(503, body),
        asserts: [
          {
            text: 'status == 200',
            ok: false,
            actual: 503,
            expected: 200,
            message: 'expected status 200, got 503',
          },
        ],
      }),
    );
    expect(lines).toEqual([
      'status == 200: expected status 200, got 503',
      'response 503: { "error": "no_leader", "detail": "no leader is known; retry shortly" }',
    ]);
  });

  it(`cuts a long body to ${BODY_EXCERPT_CHARS} characters and says how long it was`, () => {
    const [line] = failureLines(httpRun({ response: response(500, 'x'.repeat(1000)) }));
    expect(line).toBe(`response 500: ${'x'.repeat(BODY_EXCERPT_CHARS)}… (1000 chars)`);
  });

  it('adds no body line for a passing request or one that got no answer', () => {
    expect(failureLines(httpRun({ response: response(200, '{}'), ok: true }))).toEqual(['the cell failed']);
    expect(failureLines(httpRun({ response: null }))).toEqual(['the cell failed']);
  });
});
