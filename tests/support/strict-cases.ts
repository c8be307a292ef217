// Generates the requests a strict door must refuse, from a valid body and its contract schema:
// every field removed, set to null, set to each wrong JSON type, set out of range, plus an
// unknown field on every object. What counts as "wrong" does not come from the schema alone —
// each door lists which fields may be absent and which other kinds a field takes (the documented
// contract) — so a schema that quietly lets a field go missing (e.g. `entries`) is caught.
import type { TSchema } from '@sinclair/typebox';

export type JsonKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface Door {
  /** e.g. "POST /append_entries" */
  name: string;
  schema: TSchema;
  /** A body the door accepts. */
  valid: Record<string, unknown>;
  /** Paths (`entries[0].client_id`) that may be absent; every other field is required. */
  optional?: readonly string[];
  /** Paths whose value may also be of these kinds (the seed's numeric ids). */
  alsoAccepts?: Readonly<Record<string, readonly JsonKind[]>>;
}

export interface StrictCase {
  door: string;
  /** What was done, e.g. "entries removed", "term = -1". */
  what: string;
  /** The field a refusal must name ('' for the body as a whole). */
  field: string;
  body: unknown;
}

const SAMPLES: Record<JsonKind, unknown[]> = {
  string: ['7', ''],
  number: [7, 1.5],
  boolean: [true],
  object: [{}],
  array: [[], [7]],
  null: [null],
};

const kindOf = (v: unknown): JsonKind =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonKind);

type Path = (string | number)[];

const pathName = (p: Path) =>
  p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');

function withValue(body: unknown, path: Path, value: unknown | typeof REMOVE): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === REMOVE) delete at[last];
  else at[last] = value;
  return copy;
}
const REMOVE = Symbol('remove');

/** The schema of the value at `path`, following properties and array items (unions: every member). */
function schemasAt(schema: TSchema, path: Path): TSchema[] {
  let here: TSchema[] = [schema];
  for (const k of path) {
    here = here.flatMap((s) => {
      const members: TSchema[] = s.anyOf ?? [s];
      return members.flatMap((m) =>
        typeof k === 'number' ? (m.items ? [m.items] : []) : m.properties?.[k] ? [m.properties[k]] : [],
      );
    });
  }
  return here;
}

/** Values just outside the bounds the schema states (minimum, maximum, lengths, pattern, items). */
function outOfRange(schemas: TSchema[]): { what: string; value: unknown }[] {
  const out: { what: string; value: unknown }[] = [];
  for (const s of schemas.flatMap((x) => (x.anyOf as TSchema[] | undefined) ?? [x])) {
    if (typeof s.minimum === 'number')
      out.push({ what: `below its minimum ${s.minimum}`, value: s.minimum - 1 });
    if (typeof s.maximum === 'number') {
      out.push({
        what: `above its maximum ${s.maximum}`,
        value: s.maximum >= Number.MAX_SAFE_INTEGER ? 2 ** 60 : s.maximum + 1,
      });
    }
    if (typeof s.minLength === 'number' && s.minLength > 0) out.push({ what: 'empty', value: '' });
    if (typeof s.maxLength === 'number')
      out.push({ what: `longer than ${s.maxLength}`, value: 'x'.repeat(s.maxLength + 1) });
    if (typeof s.pattern === 'string') out.push({ what: 'not matching its pattern', value: 'not a match' });
    if (typeof s.minItems === 'number' && s.minItems > 0) out.push({ what: 'with no items', value: [] });
    if (s.const !== undefined) out.push({ what: 'another word', value: `${String(s.const)}-not` });
  }
  return out;
}

/** Every refusal case for one door. */
export function strictCases(door: Door): StrictCase[] {
  const cases: StrictCase[] = [];
  const seen = new Set<string>();
  const add = (what: string, path: Path, body: unknown) => {
    if (seen.has(what)) return;
    seen.add(what);
    cases.push({ door: door.name, what, field: pathName(path), body });
  };

  const visit = (value: unknown, path: Path) => {
    const name = pathName(path);
    if (path.length > 0) {
      const optional = door.optional?.includes(name) ?? false;
      if (!optional) add(`${name} removed`, path, withValue(door.valid, path, REMOVE));
      const accepted = new Set<JsonKind>([kindOf(value), ...(door.alsoAccepts?.[name] ?? [])]);
      for (const kind of Object.keys(SAMPLES) as JsonKind[]) {
        if (accepted.has(kind)) continue;
        for (const sample of SAMPLES[kind]) {
          add(`${name} = ${JSON.stringify(sample)}`, path, withValue(door.valid, path, sample));
        }
      }
      const here = schemasAt(door.schema, path);
      if (kindOf(value) === 'number' && here.some((s) => s.type === 'integer')) {
        add(`${name} as a fraction`, path, withValue(door.valid, path, (value as number) + 0.5));
      }
      for (const r of outOfRange(here)) {
        if (kindOf(r.value) !== kindOf(value) && !accepted.has(kindOf(r.value))) continue;
        add(`${name} ${r.what}`, path, withValue(door.valid, path, r.value));
      }
    }
    if (kindOf(value) === 'object') {
      const extra = [...path, 'zz_unknown'];
      add(`unknown field ${pathName(extra)}`, extra, withValue(door.valid, extra, 1));
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, [...path, k]);
    }
    if (kindOf(value) === 'array' && (value as unknown[]).length > 0)
      visit((value as unknown[])[0], [...path, 0]);
  };
  visit(door.valid, []);
  for (const notAnObject of [null, [], 'x', 7]) {
    cases.push({
      door: door.name,
      what: `a body of ${JSON.stringify(notAnObject)}`,
      field: '',
      body: notAnObject,
    });
  }
  return cases;
}
