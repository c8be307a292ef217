// An `http` cell in Hurl's syntax: one or more requests, each with optional `HTTP <status>`,
// `[Captures]`, `[Asserts]` and `[Options]` sections. https://hurl.dev/docs/hurl-file.html
import { CELL_PLACE, ProblemList, type SourcePlace } from './lesson-error.ts';
import type {
  Filter,
  HttpAssert,
  HttpCapture,
  HttpCell,
  HttpOptions,
  HttpRequestSpec,
  Predicate,
  Query,
} from './lesson-types.ts';
import { parseDuration } from './parse-duration.ts';
import { parseValue } from './parse-value.ts';

// The words of an http cell, exported so the editor colours and completes exactly these
// (web/src/hurl-language.ts); a test fails when the two drift apart.

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
/** `[Captures]`, `[Asserts]`, `[Options]`. */
export const HTTP_SECTIONS = ['Captures', 'Asserts', 'Options'] as const;
export const HTTP_QUERIES = ['jsonpath', 'header', 'status', 'body', 'duration'] as const;
/** Filters after a query (`jsonpath "$.log" count`); `nth` takes an index. */
export const HTTP_FILTERS = ['count', 'nth', 'toInt', 'toString'] as const;
/** `[Options]` names (`retry: 10`). */
export const HTTP_OPTIONS = [
  'retry',
  'retry-interval',
  'location',
  'max-redirs',
  'delay',
  'timeout',
] as const;

const METHODS: readonly string[] = HTTP_METHODS;
const REQUEST_LINE = /^([A-Z]+)\s+(\S+)\s*$/;
const STATUS_LINE = /^HTTP(?:\/[\d.]+)?\s+(\S+)\s*$/;
const HEADER_LINE = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.*)$/;
const SECTION_LINE = /^\[([A-Za-z]+)\]\s*$/;
const SECTIONS: readonly string[] = HTTP_SECTIONS;

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  retry: 0,
  retryIntervalMs: 1000,
  location: false,
  maxRedirs: 10,
  delayMs: 0,
  timeoutMs: 10_000,
};

/** Predicates that take no value (`jsonpath "$.x" exists`). */
export const VALUELESS_PREDICATES: readonly Predicate[] = [
  'exists',
  'isInteger',
  'isNumber',
  'isFloat',
  'isString',
  'isBoolean',
  'isCollection',
  'isEmpty',
];
/** Every predicate; `not` may come before any of them. Longer operators first (`>=` before `>`). */
export const HTTP_PREDICATES: readonly Predicate[] = [
  '==',
  '!=',
  '>=',
  '<=',
  '>',
  '<',
  'contains',
  'includes',
  'startsWith',
  'endsWith',
  'matches',
  ...VALUELESS_PREDICATES,
];

const QUERY_START = new RegExp(`^(${HTTP_QUERIES.join('|')})\\b\\s*`);
const FILTER_START = new RegExp(`^(${HTTP_FILTERS.join('|')})\\b\\s*`);

const isComment = (line: string) => line.trimStart().startsWith('#');
const isRequestLine = (line: string) => {
  const m = REQUEST_LINE.exec(line);
  return m !== null && METHODS.includes(m[1]!);
};

export function parseHttpCell(source: string, place: SourcePlace = CELL_PLACE): HttpCell {
  const problems = new ProblemList(place);
  const lines = source.split('\n').map((l) => l.replace(/\r$/, ''));
  const requests: HttpRequestSpec[] = [];
  let i = 0;

  const skipBlank = () => {
    while (i < lines.length && (lines[i]!.trim() === '' || isComment(lines[i]!))) i++;
  };

  skipBlank();
  if (i >= lines.length) problems.add(0, 'the cell is empty: write a request such as `GET {{node1}}/status`');
  while (i < lines.length) {
    const line = lines[i]!.trim();
    const m = REQUEST_LINE.exec(line);
    if (!m || !METHODS.includes(m[1]!)) {
      problems.add(
        i,
        `expected a request line such as \`GET {{node1}}/status\` (METHOD URL, method one of ${METHODS.join(', ')}), found \`${line}\``,
      );
      break;
    }
    const request: HttpRequestSpec = {
      method: m[1]!,
      url: m[2]!,
      headers: [],
      body: null,
      expectStatus: null,
      expectHeaders: [],
      captures: [],
      asserts: [],
      options: { ...DEFAULT_HTTP_OPTIONS },
      lineIndex: i,
    };
    requests.push(request);
    i++;

    // Request headers, then an optional [Options] section (Hurl's place for it), then the body.
    while (i < lines.length) {
      const l = lines[i]!;
      if (isComment(l)) {
        i++;
        continue;
      }
      const h = HEADER_LINE.exec(l);
      if (!h || l.trim() === '' || isRequestLine(l.trim())) break;
      request.headers.push([h[1]!, h[2]!.trim()]);
      i++;
    }
    i = readSections(lines, i, request, problems, true);

    const bodyStart = i;
    const body: string[] = [];
    while (i < lines.length) {
      const l = lines[i]!;
      if (STATUS_LINE.test(l.trim()) || isRequestLine(l.trim()) || sectionName(l) !== null) break;
      body.push(l);
      i++;
    }
    const text = body.join('\n').trim();
    if (text !== '') {
      request.body = text;
      const first = bodyStart + body.findIndex((l) => l.trim() !== '');
      if (/^[{[]/.test(text)) {
        try {
          JSON.parse(text.replace(/\{\{[^}]*\}\}/g, '0'));
        } catch (e) {
          problems.add(
            first,
            `the JSON body is not valid JSON (${(e as Error).message}); check quotes and commas`,
          );
        }
      }
    }

    if (i < lines.length && STATUS_LINE.test(lines[i]!.trim())) {
      const status = STATUS_LINE.exec(lines[i]!.trim())![1]!;
      if (status !== '*') {
        if (!/^\d{3}$/.test(status)) problems.add(i, `\`HTTP ${status}\`: the status must be 3 digits or *`);
        else request.expectStatus = Number(status);
      }
      i++;
      while (i < lines.length) {
        const l = lines[i]!;
        if (isComment(l) || l.trim() === '') {
          i++;
          continue;
        }
        const h = HEADER_LINE.exec(l.trim());
        if (!h || sectionName(l) !== null) break;
        request.expectHeaders.push([h[1]!, h[2]!.trim()]);
        i++;
      }
      i = readSections(lines, i, request, problems, false);
    } else if (i < lines.length && sectionName(lines[i]!) !== null) {
      i = readSections(lines, i, request, problems, false);
    }
    skipBlank();
  }
  problems.throwIfAny();
  return { requests };
}

function sectionName(line: string): string | null {
  const m = SECTION_LINE.exec(line.trim());
  return m ? m[1]! : null;
}

/** Reads [Captures]/[Asserts]/[Options] sections from line i; returns the first line after them. */
function readSections(
  lines: string[],
  start: number,
  request: HttpRequestSpec,
  problems: ProblemList,
  optionsOnly: boolean,
): number {
  let i = start;
  while (i < lines.length) {
    const name = sectionName(lines[i]!);
    if (name === null) break;
    if (!SECTIONS.includes(name)) {
      problems.add(i, `unknown section [${name}]: use [Captures], [Asserts] or [Options]`);
    } else if (optionsOnly && name !== 'Options') {
      problems.add(i, `[${name}] must come after the response line (e.g. \`HTTP 200\`) or the body`);
    }
    i++;
    while (i < lines.length) {
      const l = lines[i]!;
      const t = l.trim();
      if (sectionName(l) !== null || STATUS_LINE.test(t) || isRequestLine(t)) break;
      if (t === '' || isComment(l)) {
        // A blank line ends a request-side [Options] section: the body may follow.
        if (optionsOnly && t === '') break;
        i++;
        continue;
      }
      // So does a line that is no option (the body, written without a blank line before it).
      if (optionsOnly && !/^[a-z-]+\s*:/.test(t)) break;
      if (name === 'Captures') parseCapture(t, i, request, problems);
      else if (name === 'Asserts') parseAssert(t, i, request, problems);
      else if (name === 'Options') parseOption(t, i, request, problems);
      i++;
    }
    if (optionsOnly) break;
  }
  return i;
}

/** `jsonpath "$.x"`, `header "Location"`, `status`, `body`, `duration`, then filters. */
function parseQuery(text: string): { query: Query; filters: Filter[]; rest: string } | { error: string } {
  const m = QUERY_START.exec(text);
  if (!m) {
    return {
      error: `\`${text}\` does not start with a query: use jsonpath "$.field", header "Name", status, body or duration`,
    };
  }
  let rest = text.slice(m[0].length);
  const kind = m[1] as Query['kind'];
  const query: Query = { kind };
  if (kind === 'jsonpath' || kind === 'header') {
    const arg = /^"((?:[^"\\]|\\.)*)"\s*/.exec(rest);
    if (!arg)
      return {
        error: `${kind} needs its argument in double quotes, e.g. ${kind} "${kind === 'jsonpath' ? '$.state' : 'Location'}"`,
      };
    query.arg = JSON.parse(`"${arg[1]}"`) as string;
    if (kind === 'jsonpath' && !query.arg.startsWith('$')) {
      return { error: `the jsonpath "${query.arg}" must start with $ (e.g. "$.state")` };
    }
    rest = rest.slice(arg[0].length);
  }
  const filters: Filter[] = [];
  for (;;) {
    const f = FILTER_START.exec(rest);
    if (!f) break;
    rest = rest.slice(f[0].length);
    if (f[1] === 'nth') {
      const n = /^(\d+)\s*/.exec(rest);
      if (!n) return { error: 'nth needs an index, e.g. nth 0' };
      filters.push({ name: 'nth', n: Number(n[1]) });
      rest = rest.slice(n[0].length);
    } else {
      filters.push({ name: f[1] as Exclude<Filter['name'], 'nth'> });
    }
  }
  return { query, filters, rest };
}

function parseCapture(text: string, i: number, request: HttpRequestSpec, problems: ProblemList): void {
  const m = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(text);
  if (!m) {
    problems.add(
      i,
      `a capture is \`name: query\`, e.g. \`term_before: jsonpath "$.term"\`; found \`${text}\``,
    );
    return;
  }
  const q = parseQuery(m[2]!);
  if ('error' in q) {
    problems.add(i, q.error);
    return;
  }
  if (q.rest.trim() !== '') {
    problems.add(i, `unexpected \`${q.rest.trim()}\` after the capture's query`);
    return;
  }
  const capture: HttpCapture = { name: m[1]!, query: q.query, filters: q.filters, text, lineIndex: i };
  request.captures.push(capture);
}

function parseAssert(text: string, i: number, request: HttpRequestSpec, problems: ProblemList): void {
  const q = parseQuery(text);
  if ('error' in q) {
    problems.add(i, q.error);
    return;
  }
  let rest = q.rest;
  let not = false;
  if (/^not\b/.test(rest)) {
    not = true;
    rest = rest.slice(3).trimStart();
  }
  const predicate = HTTP_PREDICATES.find(
    (p) => rest === p || rest.startsWith(`${p} `) || rest.startsWith(`${p}"`),
  );
  if (!predicate) {
    problems.add(
      i,
      `\`${rest.trim() || '(nothing)'}\` is not a predicate: use one of ${HTTP_PREDICATES.join(' ')}, e.g. \`jsonpath "$.state" == "leader"\``,
    );
    return;
  }
  rest = rest.slice(predicate.length);
  const assert: HttpAssert = { text, query: q.query, filters: q.filters, not, predicate, lineIndex: i };
  if (!VALUELESS_PREDICATES.includes(predicate)) {
    const v = parseValue(rest);
    if (!v.ok) {
      problems.add(i, v.message);
      return;
    }
    if (v.value.kind === 'regex' && predicate !== 'matches') {
      problems.add(i, `a /regex/ only works with matches, not ${predicate}`);
      return;
    }
    if (v.rest.trim() !== '') {
      problems.add(i, `unexpected \`${v.rest.trim()}\` after the value`);
      return;
    }
    assert.value = v.value;
  } else if (rest.trim() !== '') {
    problems.add(i, `${predicate} takes no value; remove \`${rest.trim()}\``);
    return;
  }
  request.asserts.push(assert);
}

/**
 * The `[Options]` that take a number: the HttpOptions field each sets, whether it reads a whole
 * number (`retry: 10`) or a duration (`delay: 250ms`), and its largest value (a count, or ms).
 */
const NUMBER_OPTIONS = new Map<
  string,
  { field: Exclude<keyof HttpOptions, 'location'>; reads: 'count' | 'duration'; max: number }
>([
  ['retry', { field: 'retry', reads: 'count', max: 100 }],
  ['retry-interval', { field: 'retryIntervalMs', reads: 'duration', max: 60_000 }],
  ['max-redirs', { field: 'maxRedirs', reads: 'count', max: 50 }],
  ['delay', { field: 'delayMs', reads: 'duration', max: 60_000 }],
  ['timeout', { field: 'timeoutMs', reads: 'duration', max: 120_000 }],
]);

function parseOption(text: string, i: number, request: HttpRequestSpec, problems: ProblemList): void {
  const m = /^([a-z-]+)\s*:\s*(.*)$/.exec(text);
  const known = HTTP_OPTIONS.join(', ');
  if (!m) {
    problems.add(i, `an option is \`name: value\`, e.g. \`retry: 10\`; found \`${text}\``);
    return;
  }
  const [, name, raw] = m as unknown as [string, string, string];
  const o = request.options;
  const count = (max: number): number | null => {
    if (!/^\d+$/.test(raw) || Number(raw) > max) {
      problems.add(i, `${name} must be a whole number from 0 to ${max}, found \`${raw}\``);
      return null;
    }
    return Number(raw);
  };
  const duration = (max: number): number | null => {
    const ms = parseDuration(raw);
    if (ms === null || ms > max) {
      problems.add(
        i,
        `${name} must be a duration up to ${max / 1000}s such as 250ms or 2s, found \`${raw}\``,
      );
      return null;
    }
    return ms;
  };
  if (name === 'location') {
    if (raw !== 'true' && raw !== 'false')
      problems.add(i, `location must be true or false, found \`${raw}\``);
    else o.location = raw === 'true';
    return;
  }
  const spec = NUMBER_OPTIONS.get(name);
  if (!spec) {
    problems.add(i, `unknown option \`${name}\`: the lab knows ${known}`);
    return;
  }
  o[spec.field] = (spec.reads === 'count' ? count(spec.max) : duration(spec.max)) ?? o[spec.field];
}
