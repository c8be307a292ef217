// The admin token check (server/node/admin.ts): only the exact token passes. It compares SHA-256
// digests with timingSafeEqual, so how long the comparison takes says nothing about the token
// (its length, a matching prefix); that is by construction, not measured here (timings on a
// shared machine prove nothing).
import { describe, expect, it } from 'vitest';
import { tokenMatches } from '../../server/node/admin.ts';

describe('tokenMatches', () => {
  const token = 'c0ffee-token-é';
  it('accepts exactly the token', () => {
    expect(tokenMatches(token, token)).toBe(true);
  });
  it.each([
    ['empty', ''],
    ['a prefix', token.slice(0, -1)],
    ['the token and more', `${token}x`],
    ['other case', token.toUpperCase()],
    ['same length, last character different', `${token.slice(0, -1)}e`],
    ['padded', ` ${token}`],
    ['a NUL inside', `${token}\u0000`],
  ])('refuses %s', (_what, given) => {
    expect(tokenMatches(given, token)).toBe(false);
  });
});
