// The lab's own guards against a hostile browser: security headers (a Content-Security-Policy
// that allows the page's own inline theme script by its hash) and a rate limit on runs and
// cluster actions per client address. In a real browser: tests/e2e/hostile-content.e2e.test.ts.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunRate } from '../../server/lab/http/run-rate.ts';
import { contentSecurityPolicy, inlineScriptHashes } from '../../server/lab/http/security-headers.ts';
import { rawRequest } from '../support/raw-http.ts';
import { startTestLab, type TestLab } from './start-test-lab.ts';

describe('content security policy', () => {
  it('allows exactly the inline scripts of index.html, by their sha256', () => {
    const html = '<script>let a = 1;</script><script type="module" src="/x.js"></script><SCRIPT>b()</SCRIPT>';
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(inlineScriptHashes(html)).toEqual([sha('let a = 1;'), sha('b()')]);
    const csp = contentSecurityPolicy(html);
    expect(csp).toContain(`script-src 'self' ${sha('let a = 1;')} ${sha('b()')};`);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('RunRate', () => {
  it('lets a client start its burst at once, then one run per 1/perSecond, each client on its own', () => {
    let now = 0;
    const rate = new RunRate({ burst: 3, perSecond: 2 }, () => now);
    expect([rate.take('a'), rate.take('a'), rate.take('a')]).toEqual([0, 0, 0]);
    expect(rate.take('a')).toBe(500);
    expect(rate.take('b')).toBe(0);
    now = 499;
    expect(rate.take('a')).toBeGreaterThan(0);
    now = 1000;
    expect(rate.take('a')).toBe(0);
    now = 60_000;
    expect([rate.take('a'), rate.take('a'), rate.take('a'), rate.take('a')]).toEqual([0, 0, 0, 500]);
  });
});

describe('the lab API', () => {
  let t: TestLab;
  let base: string;
  beforeAll(async () => {
    t = await startTestLab(resolve(import.meta.dirname, '../fixtures/mixed-lessons'), [16351, 16352], {
      runRate: { burst: 3, perSecond: 0.01 },
    });
    base = t.lab.url;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends the security headers with the page and with the API', async () => {
    for (const path of ['/', '/api/lessons', '/api/nope']) {
      const a = await rawRequest(base, { method: 'GET', path });
      expect(a.headers['content-security-policy'], path).toMatch(/^default-src 'self'; script-src 'self'/);
      expect(a.headers['x-content-type-options'], path).toBe('nosniff');
      expect(a.headers['x-frame-options'], path).toBe('DENY');
      expect(a.headers['referrer-policy'], path).toBe('no-referrer');
    }
  });

  it('answers runs and actions past the rate with 429, Retry-After and what to do; reading is not limited', async () => {
    const run = () =>
      rawRequest(base, {
        method: 'POST',
        path: '/api/run',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lessonId: '01-fixture-status', cellId: 'status' }),
      });
    const answers = [await run(), await run(), await run()];
    for (const a of answers) expect(a.status).toBe(200);
    const refused = await run();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json).toMatchObject({
      error: 'too_many_runs',
      detail: expect.stringMatching(/wait \d+ s/),
    });
    const action = await rawRequest(base, {
      method: 'POST',
      path: '/api/cluster/actions',
      headers: { 'content-type': 'application/json' },
      body: '{"action":"heal"}',
    });
    expect(action.status).toBe(429);
    expect((await rawRequest(base, { method: 'GET', path: '/api/lessons' })).status).toBe(200);
  });
});
