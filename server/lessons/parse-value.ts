// The literal on the right of an assert or a check: "text", 42, true, null, {{variable}}, /regex/.
import type { Value } from './lesson-types.ts';

export type ValueParse = { ok: true; value: Value; rest: string } | { ok: false; message: string };

const VARIABLE = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/;

/** Reads one value at the start of `text`; `rest` is what follows it. */
export function parseValue(text: string): ValueParse {
  const s = text.trimStart();
  if (s.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(s);
    if (!m) return { ok: false, message: `the string ${s} has no closing quote (")` };
    try {
      return {
        ok: true,
        value: { kind: 'literal', value: JSON.parse(m[0]) as string },
        rest: s.slice(m[0].length),
      };
    } catch {
      return { ok: false, message: `${m[0]} is not a valid string (escape quotes as \\")` };
    }
  }
  const v = VARIABLE.exec(s);
  if (v) return { ok: true, value: { kind: 'variable', name: v[1]! }, rest: s.slice(v[0].length) };
  if (s.startsWith('/')) {
    const m = /^\/((?:[^/\\]|\\.)*)\//.exec(s);
    if (!m) return { ok: false, message: `the regex ${s} has no closing /` };
    try {
      new RegExp(m[1]!);
    } catch (e) {
      return { ok: false, message: `/${m[1]}/ is not a valid regex: ${(e as Error).message}` };
    }
    return { ok: true, value: { kind: 'regex', pattern: m[1]! }, rest: s.slice(m[0].length) };
  }
  const word = /^[^\s]+/.exec(s)?.[0] ?? '';
  if (word === 'true' || word === 'false')
    return { ok: true, value: { kind: 'literal', value: word === 'true' }, rest: s.slice(word.length) };
  if (word === 'null') return { ok: true, value: { kind: 'literal', value: null }, rest: s.slice(4) };
  if (/^-?\d+(\.\d+)?$/.test(word))
    return { ok: true, value: { kind: 'literal', value: Number(word) }, rest: s.slice(word.length) };
  if (word === '') return { ok: false, message: 'a value is missing' };
  return {
    ok: false,
    message: `${word} is not a value: write text in double quotes ("${word}"), a number, true, false, null or a {{variable}}`,
  };
}

/** Names of every {{variable}} in a piece of text, in order of appearance. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g)].map((m) => m[1]!);
}
