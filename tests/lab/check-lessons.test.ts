// `lessons:check` end to end: a real cluster, a passing, a failing and a malformed lesson.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('lessons:check', () => {
  it('reports per lesson and per cell, ends with "N passed, N failed", writes JUnit XML and exits 1 on failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-lab-check-'));
    try {
      const junit = join(dir, 'lessons.xml');
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/lab/check-lessons-main.ts',
          '--lessons',
          'tests/fixtures/check-lessons',
          '--base-port',
          '16501',
          '--data',
          join(dir, 'data'),
          '--junit',
          junit,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 150_000 },
      );
      const out = r.stdout;
      expect(r.status, out + r.stderr).toBe(1);
      const lines = out.trimEnd().split('\n');
      expect(lines.at(-1)).toBe('1 passed, 2 failed');
      expect(out).toMatch(/✗ tests\/fixtures\/check-lessons\/03-bad-cells\.md: the lesson file is malformed/);
      expect(out).toMatch(/03-bad-cells\.md:16: unknown action `kil`/);
      expect(out).toMatch(/PASS 01-fixture-status: 4 cells passed, 0 failed, 0 skipped/);
      expect(out).toMatch(/✗ c2 +check +line 13/);
      expect(out).toContain('leaders == 2: expected == 2, seen 1 (node');
      expect(out).toContain('hint: There is never more than one leader in a term.');
      expect(out).toMatch(/- c3 +http .*skipped/);
      expect(out).toMatch(/FAIL 02-fails-on-purpose: 1 cells passed, 1 failed, 1 skipped/);

      const xml = readFileSync(junit, 'utf8');
      expect(xml).toMatch(/<testsuites name="lessons" tests="8" failures="1" errors="1"/);
      expect(xml).toContain('<testcase classname="01-fixture-status" name="status (http, line 12)"');
      expect(xml).toMatch(/<failure message="leaders == 2: expected == 2, seen 1 \(node\d, term \d+\)/);
      expect(xml).toContain('<skipped message="an earlier cell of the lesson failed"/>');
      expect(xml).toMatch(/<error message="tests\/fixtures\/check-lessons\/03-bad-cells\.md:12: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses a lessons folder that does not exist, with usage (exit 2)', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'server/lab/check-lessons-main.ts', '--lessons', '/no/such/dir'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the lessons folder /no/such/dir cannot be read');
  });
});
