import { describe, expect, it } from 'vitest';
import { HTTP_OPTIONS, parseHttpCell } from '../../server/lessons/parse-http-cell.ts';
import { lessonErrorOf } from './lesson-error-of.ts';

const problems = (source: string) =>
  lessonErrorOf(() => parseHttpCell(source, { file: 'lessons/l.md', firstLine: 10 })).problems.map(
    (p) => `${p.line}: ${p.message}`,
  );

describe('parseHttpCell', () => {
  it('reads the request line with variables, headers and a JSON body', () => {
    const { requests } = parseHttpCell(
      'POST {{leader}}/client_command\nContent-Type: application/json\nX-Trace: a:b\n{"command": "set x={{value}}"}\n',
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '{{leader}}/client_command',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Trace', 'a:b'],
      ],
      body: '{"command": "set x={{value}}"}',
      expectStatus: null,
      lineIndex: 0,
    });
  });

  it('accepts a multi-line JSON body after a blank line, with variables as numbers', () => {
    const { requests } = parseHttpCell(
      'POST {{node1}}/request_vote\n\n{\n  "term": {{t}},\n  "candidate_id": "9"\n}\n\nHTTP 200',
    );
    expect(requests[0]!.body).toBe('{\n  "term": {{t}},\n  "candidate_id": "9"\n}');
    expect(requests[0]!.expectStatus).toBe(200);
  });

  it('reads HTTP status, response headers, captures and asserts with filters, not and every operator', () => {
    const { requests } = parseHttpCell(
      [
        'GET {{node1}}/status',
        'HTTP 200',
        'Content-Type: application/json',
        '[Captures]',
        'term_before: jsonpath "$.term"',
        'where: header "Location"',
        'code: status',
        '[Asserts]',
        'jsonpath "$.state" == "leader"',
        'status == 307',
        'header "Location" contains "5003"',
        'jsonpath "$.log" count == 2',
        'jsonpath "$.x" exists',
        'jsonpath "$.term" not isInteger',
        'jsonpath "$.leader_url" matches /^http:\\/\\/127/',
        'jsonpath "$.term" >= {{term_before}}',
        'jsonpath "$.log" nth 0 exists',
        'body startsWith "{"',
      ].join('\n'),
    );
    const r = requests[0]!;
    expect(r.expectStatus).toBe(200);
    expect(r.expectHeaders).toEqual([['Content-Type', 'application/json']]);
    expect(r.captures.map((c) => [c.name, c.query])).toEqual([
      ['term_before', { kind: 'jsonpath', arg: '$.term' }],
      ['where', { kind: 'header', arg: 'Location' }],
      ['code', { kind: 'status' }],
    ]);
    expect(
      r.asserts.map((a) => [
        a.query.kind,
        a.filters.map((f) => f.name).join(','),
        a.not,
        a.predicate,
        a.value,
      ]),
    ).toEqual([
      ['jsonpath', '', false, '==', { kind: 'literal', value: 'leader' }],
      ['status', '', false, '==', { kind: 'literal', value: 307 }],
      ['header', '', false, 'contains', { kind: 'literal', value: '5003' }],
      ['jsonpath', 'count', false, '==', { kind: 'literal', value: 2 }],
      ['jsonpath', '', false, 'exists', undefined],
      ['jsonpath', '', true, 'isInteger', undefined],
      ['jsonpath', '', false, 'matches', { kind: 'regex', pattern: '^http:\\/\\/127' }],
      ['jsonpath', '', false, '>=', { kind: 'variable', name: 'term_before' }],
      ['jsonpath', 'nth', false, 'exists', undefined],
      ['body', '', false, 'startsWith', { kind: 'literal', value: '{' }],
    ]);
    expect(r.asserts[0]!.lineIndex).toBe(8);
  });

  it('reads [Options] before the body (Hurl) or after the response (as lessons often write it)', () => {
    const a = parseHttpCell('GET {{node1}}/status\n[Options]\nretry: 20\nretry-interval: 250ms\n\nHTTP 200');
    expect(a.requests[0]!.options).toMatchObject({ retry: 20, retryIntervalMs: 250, location: false });
    const b = parseHttpCell(
      'POST {{follower}}/client_command\n{"command":"get x"}\nHTTP 200\n[Options]\nlocation: true\nmax-redirs: 3\ndelay: 1s\ntimeout: 2s',
    );
    expect(b.requests[0]!.options).toEqual({
      retry: 0,
      retryIntervalMs: 1000,
      location: true,
      maxRedirs: 3,
      delayMs: 1000,
      timeoutMs: 2000,
    });
    expect(b.requests[0]!.body).toBe('{"command":"get x"}');
    const c = parseHttpCell(
      'POST {{leader}}/client_command\n[Options]\nretry: 3\n{"command": "set x=1"}\nHTTP 200',
    );
    expect(c.requests[0]).toMatchObject({
      body: '{"command": "set x=1"}',
      expectStatus: 200,
      options: { retry: 3 },
    });
  });

  it('reads several requests in one cell, with comments and HTTP *', () => {
    const { requests } = parseHttpCell(
      '# first\nGET {{node1}}/status\nHTTP *\n\n# second\nGET {{node2}}/status\nHTTP/1.1 200\n[Asserts]\nstatus == 200\n',
    );
    expect(requests.map((r) => [r.url, r.expectStatus, r.lineIndex])).toEqual([
      ['{{node1}}/status', null, 1],
      ['{{node2}}/status', 200, 5],
    ]);
  });

  it('names the line of each problem, counted in the lesson file', () => {
    expect(problems('')).toEqual([expect.stringMatching(/^10: the cell is empty/)]);
    expect(problems('FETCH {{node1}}/status')).toEqual([
      expect.stringMatching(/^10: expected a request line/),
    ]);
    expect(problems('POST {{node1}}/client_command\n{"command": "set x=1",}\n')).toEqual([
      expect.stringMatching(/^11: the JSON body is not valid JSON/),
    ]);
    expect(problems('GET {{node1}}/status\nHTTP 2000')).toEqual([expect.stringMatching(/^11: `HTTP 2000`/)]);
    expect(problems('GET {{node1}}/status\nHTTP 200\n[Assert]\nstatus == 200')).toEqual([
      expect.stringMatching(/^12: unknown section \[Assert\]/),
    ]);
    expect(
      problems(
        'GET {{node1}}/status\nHTTP 200\n[Asserts]\njsonpath $.x == 1\njsonpath "$.x" == leader\nstatus exists 3\njsonpath "x" exists\nheader "L" == /a/',
      ),
    ).toEqual([
      expect.stringMatching(/^13: jsonpath needs its argument in double quotes/),
      expect.stringMatching(/^14: leader is not a value: write text in double quotes/),
      expect.stringMatching(/^15: exists takes no value/),
      expect.stringMatching(/^16: the jsonpath "x" must start with \$/),
      expect.stringMatching(/^17: a \/regex\/ only works with matches/),
    ]);
    expect(problems('GET {{node1}}/status\nHTTP 200\n[Captures]\nterm jsonpath "$.term"')).toEqual([
      expect.stringMatching(/^13: a capture is `name: query`/),
    ]);
    expect(
      problems('GET {{node1}}/status\nHTTP 200\n[Options]\nretry: lots\nfollow: true\nlocation: yes'),
    ).toEqual([
      expect.stringMatching(/^13: retry must be a whole number/),
      expect.stringMatching(/^14: unknown option `follow`/),
      expect.stringMatching(/^15: location must be true or false/),
    ]);
  });

  it('reads every option the lab lists (HTTP_OPTIONS) and no other', () => {
    const value = { location: 'true', 'retry-interval': '1s', delay: '1s', timeout: '1s' } as Record<
      string,
      string
    >;
    for (const name of HTTP_OPTIONS) {
      expect(() =>
        parseHttpCell(`GET {{node1}}/status\n[Options]\n${name}: ${value[name] ?? '1'}`),
      ).not.toThrow();
    }
    expect(problems('GET {{node1}}/status\n[Options]\nconstructor: 1')).toEqual([
      expect.stringMatching(/^12: unknown option `constructor`/),
    ]);
  });
});
