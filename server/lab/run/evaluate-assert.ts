// Hurl's queries, filters and predicates, evaluated on one HTTP response.
import { JSONPath } from 'jsonpath-plus';
import type { AssertResult } from '../../contract/lab-api.ts';
import type { Filter, HttpAssert, Predicate, Query, Value } from '../../lessons/lesson-types.ts';
import type { VariableValue } from './variables.ts';

export interface ResponseFacts {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
  bodyText: string;
  durationMs: number;
}

/** The value a query selects; undefined when there is none (e.g. a missing field). */
export function runQuery(query: Query, filters: Filter[], facts: ResponseFacts): unknown {
  let value: unknown;
  switch (query.kind) {
    case 'status':
      value = facts.status;
      break;
    case 'header':
      value = facts.headers[query.arg!.toLowerCase()];
      break;
    case 'body':
      value = facts.bodyText;
      break;
    case 'duration':
      value = facts.durationMs;
      break;
    case 'jsonpath': {
      if (facts.body === undefined) {
        value = undefined;
        break;
      }
      const found = JSONPath({ path: query.arg!, json: facts.body as object, wrap: true }) as unknown[];
      value = found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
    }
  }
  for (const f of filters) value = applyFilter(f, value);
  return value;
}

function applyFilter(filter: Filter, value: unknown): unknown {
  if (value === undefined) return undefined;
  switch (filter.name) {
    case 'count':
      return Array.isArray(value)
        ? value.length
        : typeof value === 'object' && value !== null
          ? Object.keys(value).length
          : 1;
    case 'nth':
      return Array.isArray(value) ? value[filter.n] : undefined;
    case 'toInt': {
      const n = Number.parseInt(String(value), 10);
      return Number.isNaN(n) ? undefined : n;
    }
    case 'toString':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

export function resolveValue(value: Value, variables: Map<string, VariableValue>): unknown {
  if (value.kind === 'literal') return value.value;
  if (value.kind === 'regex') return new RegExp(value.pattern);
  return variables.get(value.name);
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}

export function testPredicate(predicate: Predicate, actual: unknown, expected: unknown): boolean {
  switch (predicate) {
    case '==':
      return equal(actual, expected);
    case '!=':
      return actual !== undefined && !equal(actual, expected);
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (
        !(
          (typeof actual === 'number' && typeof expected === 'number') ||
          (typeof actual === 'string' && typeof expected === 'string')
        )
      ) {
        return false;
      }
      if (predicate === '>') return actual > expected;
      if (predicate === '>=') return actual >= expected;
      if (predicate === '<') return actual < expected;
      return actual <= expected;
    }
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
      return Array.isArray(actual) && actual.some((x) => equal(x, expected));
    case 'includes':
      return Array.isArray(actual) && actual.some((x) => equal(x, expected));
    case 'startsWith':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'endsWith':
      return typeof actual === 'string' && typeof expected === 'string' && actual.endsWith(expected);
    case 'matches': {
      if (typeof actual !== 'string') return false;
      const re = expected instanceof RegExp ? expected : new RegExp(String(expected));
      return re.test(actual);
    }
    case 'exists':
      return actual !== undefined;
    case 'isInteger':
      return Number.isInteger(actual);
    case 'isNumber':
      return typeof actual === 'number';
    case 'isFloat':
      return typeof actual === 'number' && !Number.isInteger(actual);
    case 'isString':
      return typeof actual === 'string';
    case 'isBoolean':
      return typeof actual === 'boolean';
    case 'isCollection':
      return typeof actual === 'object' && actual !== null;
    case 'isEmpty':
      return (Array.isArray(actual) || typeof actual === 'string') && actual.length === 0;
  }
}

const show = (v: unknown) =>
  v === undefined ? 'nothing' : v instanceof RegExp ? String(v) : JSON.stringify(v);

export function evaluateAssert(
  a: HttpAssert,
  facts: ResponseFacts,
  variables: Map<string, VariableValue>,
): AssertResult {
  const actual = runQuery(a.query, a.filters, facts);
  const expected = a.value ? resolveValue(a.value, variables) : undefined;
  const passed = testPredicate(a.predicate, actual, expected) !== a.not;
  const wanted = `${a.not ? 'not ' : ''}${a.predicate}${a.value ? ` ${show(expected)}` : ''}`;
  return {
    text: a.text,
    ok: passed,
    actual: actual ?? null,
    expected: expected instanceof RegExp ? String(expected) : (expected ?? null),
    message: passed ? null : `expected ${wanted}, got ${show(actual)}`,
  };
}
