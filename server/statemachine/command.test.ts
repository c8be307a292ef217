import { describe, expect, test } from 'vitest';
import { MAX_VALUE_BYTES, parseCommand } from './command.ts';

describe('parseCommand', () => {
  test.each([
    ['set x=42', { op: 'set', key: 'x', value: '42' }],
    ['  set   x = 42  ', { op: 'set', key: 'x', value: '42' }],
    ['SET a.b:c-d_e=hello world', { op: 'set', key: 'a.b:c-d_e', value: 'hello world' }],
    ['set eq=a=b', { op: 'set', key: 'eq', value: 'a=b' }],
    ['get x', { op: 'get', key: 'x' }],
    ['\tdelete  x\n', { op: 'delete', key: 'x' }],
  ])('reads %j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  test('an unknown command is explained with the accepted forms', () => {
    expect(parseCommand('put x=1')).toEqual({
      error: "unknown command 'put x=1': use 'set KEY=VALUE', 'get KEY' or 'delete KEY'",
    });
  });

  test.each([
    ['', /empty command/],
    ['set x', /has no '='/],
    ['set =1', /key is missing/],
    ['set x=', /needs a value/],
    ['set x y=1', /invalid key 'x y'/],
    ['get', /get needs a key/],
    ['delete', /delete needs a key/],
    ['get a b', /invalid key/],
    [`get ${'k'.repeat(129)}`, /invalid key/],
    ['set ké=1', /invalid key/],
  ])('refuses %j with a readable reason', (text, reason) => {
    const result = parseCommand(text);
    expect('error' in result && result.error).toMatch(reason);
  });

  test('a key of 128 characters is fine; values are limited to 64 KiB', () => {
    expect(parseCommand(`get ${'k'.repeat(128)}`)).toEqual({ op: 'get', key: 'k'.repeat(128) });
    expect(parseCommand(`set v=${'a'.repeat(MAX_VALUE_BYTES)}`)).toMatchObject({ op: 'set' });
    expect(parseCommand(`set v=${'a'.repeat(MAX_VALUE_BYTES + 1)}`)).toEqual({
      error: `the value is ${MAX_VALUE_BYTES + 1} bytes; at most ${MAX_VALUE_BYTES} are allowed`,
    });
  });
});
