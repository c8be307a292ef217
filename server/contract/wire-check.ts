// Checks a body against its contract schema and says, for a person, what was wrong: which
// field, what was expected, what was sent. One function for every door (node and lab), so
// every refusal reads the same. Schemas are TypeBox (JSON Schema); each is compiled once, on
// first use (TypeBox's compiler: ~40 µs for a 512-entry append_entries, bench/schema-libraries.ts).
//
// Wording comes from two schema options: `title` on a body ("a request_vote body") and
// `expected` on a field ("a non-negative integer (at most 2^53-1)").

import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';

export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

/** A rule no schema can state (e.g. entries contiguous): why the body breaks it, or null. */
export type Rule<T> = (value: T) => string | null;

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

/**
 * Checks `value` against `schema`, then each rule in order. Never throws for what a client
 * sent; `detail` is the first problem found, written for the person who sent it.
 */
export function parseWire<T extends TSchema>(
  schema: T,
  value: unknown,
  ...rules: Rule<Static<T>>[]
): Checked<Static<T>> {
  const check = checkerFor(schema);
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    return { ok: false, detail: first ? explain(schema, first) : `${titleOf(schema)} is not valid` };
  }
  for (const rule of rules) {
    const why = rule(value as Static<T>);
    if (why !== null) return { ok: false, detail: why };
  }
  return { ok: true, value: value as Static<T> };
}

/** True when `value` matches `schema` (no rules, no text): for reading what our own processes sent. */
export function matches<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checkerFor(schema).Check(value);
}

/** A short, safe rendering of what was sent: strings quoted and cut, objects named not dumped. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** `/entries/3/term` → `entries[3].term` (how a learner would write the path). */
export function fieldName(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

function titleOf(schema: TSchema): string {
  return (schema.title as string | undefined) ?? 'the body';
}

function expectedOf(schema: TSchema): string {
  const e = schema.expected as string | undefined;
  if (e) return e;
  switch (schema.type) {
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'an array';
    case 'object':
      return 'a JSON object';
    default:
      return schema.const !== undefined ? JSON.stringify(schema.const) : 'something else';
  }
}

function explain(root: TSchema, e: ValueError): string {
  const field = fieldName(e.path);
  if (field === '') {
    const isObject = typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value);
    return isObject
      ? `${titleOf(root)} must be ${expectedOf(e.schema)}`
      : `${titleOf(root)} must be a JSON object, got ${describeValue(e.value)}`;
  }
  if (e.type === ValueErrorType.ObjectRequiredProperty) {
    return `field '${field}' is missing; it must be ${expectedOf(e.schema)}`;
  }
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    const known = Object.keys((e.schema.properties as Record<string, unknown> | undefined) ?? {});
    const where = e.schema.title ? ` in ${e.schema.title}` : '';
    return `field '${field}' is not expected${where}; the fields are ${known.join(', ')}`;
  }
  const numeric = e.schema.type === 'integer' || e.schema.type === 'number';
  const aString = numeric && typeof e.value === 'string' ? ' (a string)' : '';
  return `field '${field}' must be ${expectedOf(e.schema)}, got ${describeValue(e.value)}${aString}`;
}
