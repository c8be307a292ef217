// The commands a client may send: `set KEY=VALUE`, `get KEY`, `delete KEY`, and `register`,
// which opens a client session (dissertation §6.3, sessions.ts). Parsing is pure and returns a
// person-readable error instead of throwing, because the text comes straight from learners
// typing into a notebook.

export type Command =
  | { op: 'set'; key: string; value: string }
  | { op: 'get'; key: string }
  | { op: 'delete'; key: string }
  | { op: 'register' };

export type ParseResult = Command | { error: string };

export const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const MAX_VALUE_BYTES = 64 * 1024;

const USAGE = "use 'set KEY=VALUE', 'get KEY' or 'delete KEY'";

export function parseCommand(text: string): ParseResult {
  if (typeof text !== 'string') return { error: `a command must be text: ${USAGE}` };
  const trimmed = text.trim();
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match) return { error: `empty command: ${USAGE}` };
  const op = match[1]!.toLowerCase();
  const rest = match[2] ?? '';
  switch (op) {
    case 'set':
      return parseSet(rest, trimmed);
    case 'get':
    case 'delete':
      return parseKeyOnly(op, rest);
    case 'register':
      return rest === ''
        ? { op: 'register' }
        : {
            error: `'register' takes nothing after it: it opens a client session (got '${shorten(trimmed)}')`,
          };
    default:
      return { error: `unknown command '${shorten(trimmed)}': ${USAGE}` };
  }
}

function parseSet(rest: string, whole: string): ParseResult {
  const eq = rest.indexOf('=');
  if (eq < 0) return { error: `'${shorten(whole)}' has no '=': ${USAGE}` };
  const key = rest.slice(0, eq).trim();
  const value = rest.slice(eq + 1).trim();
  const keyError = checkKey(key);
  if (keyError) return { error: keyError };
  if (value.length === 0) return { error: `set ${key}= needs a value: ${USAGE}` };
  // UTF-8 takes at most 3 bytes per UTF-16 unit: short values need no encoding to check.
  const bytes = value.length * 3 <= MAX_VALUE_BYTES ? 0 : new TextEncoder().encode(value).length;
  if (bytes > MAX_VALUE_BYTES)
    return { error: `the value is ${bytes} bytes; at most ${MAX_VALUE_BYTES} are allowed` };
  return { op: 'set', key, value };
}

function parseKeyOnly(op: 'get' | 'delete', rest: string): ParseResult {
  const key = rest.trim();
  if (key.length === 0) return { error: `${op} needs a key: ${USAGE}` };
  const keyError = checkKey(key);
  return keyError ? { error: keyError } : { op, key };
}

function checkKey(key: string): string | null {
  if (key.length === 0) return `a key is missing: ${USAGE}`;
  if (KEY_PATTERN.test(key)) return null;
  return `invalid key '${shorten(key)}': keys are 1 to 128 of A-Z a-z 0-9 _ . : -`;
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
