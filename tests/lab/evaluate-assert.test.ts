// Hurl's queries, filters and predicates on a fixed response.
import { describe, expect, it } from 'vitest';
import { evaluateAssert, type ResponseFacts } from '../../server/lab/run/evaluate-assert.ts';
import { parseHttpCell } from '../../server/lessons/parse-http-cell.ts';

const facts: ResponseFacts = {
  status: 307,
  headers: { location: 'http://127.0.0.1:5003/client_command', 'content-type': 'application/json' },
  body: {
    state: 'follower',
    term: 3,
    ratio: 0.5,
    log: [
      { index: 1, command: 'set x=1' },
      { index: 2, command: 'set y=2' },
    ],
    kv: {},
    leader_id: null,
  },
  bodyText: '{"state":"follower"}',
  durationMs: 12,
};

function check(assertLine: string, vars: Record<string, unknown> = {}) {
  const { requests } = parseHttpCell(`GET {{node1}}/status\nHTTP *\n[Asserts]\n${assertLine}`);
  return evaluateAssert(requests[0]!.asserts[0]!, facts, new Map(Object.entries(vars)));
}

describe('evaluateAssert', () => {
  it.each([
    'jsonpath "$.state" == "follower"',
    'jsonpath "$.state" != "leader"',
    'jsonpath "$.term" > 2',
    'jsonpath "$.term" >= {{t}}',
    'jsonpath "$.term" < 4',
    'jsonpath "$.term" <= 3',
    'jsonpath "$.state" contains "llow"',
    'jsonpath "$.log[*].command" includes "set y=2"',
    'jsonpath "$.log[*].command" contains "set x=1"',
    'jsonpath "$.state" startsWith "fol"',
    'jsonpath "$.state" endsWith "wer"',
    'jsonpath "$.state" matches /^f.*r$/',
    'jsonpath "$.log" exists',
    'jsonpath "$.nothing" not exists',
    'jsonpath "$.term" isInteger',
    'jsonpath "$.ratio" isFloat',
    'jsonpath "$.term" isNumber',
    'jsonpath "$.state" isString',
    'jsonpath "$.log" isCollection',
    'jsonpath "$.log" count == 2',
    'jsonpath "$.log" nth 1 exists',
    'jsonpath "$.log[0].index" toString == "1"',
    'jsonpath "$.leader_id" == null',
    'jsonpath "$.kv" count == 0',
    'status == 307',
    'header "Location" contains "5003"',
    'header "X-Missing" not exists',
    'body startsWith "{"',
    'duration < 1000',
  ])('%s holds', (line) => {
    const r = check(line, { t: 3 });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, message: null });
  });

  it('reports actual and expected when an assert fails', () => {
    expect(check('jsonpath "$.term" > {{t}}', { t: 7 })).toEqual({
      text: 'jsonpath "$.term" > {{t}}',
      ok: false,
      actual: 3,
      expected: 7,
      message: 'expected > 7, got 3',
    });
    expect(check('jsonpath "$.missing" == 1')).toMatchObject({
      ok: false,
      actual: null,
      message: 'expected == 1, got nothing',
    });
    expect(check('jsonpath "$.state" == 3')).toMatchObject({
      ok: false,
      message: 'expected == 3, got "follower"',
    });
  });
});
