// The lab (and a node) listening beyond loopback print a warning; on loopback they say nothing.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exposureWarning, isLoopback } from '../../server/http/exposure-warning.ts';
import { RemoteBackend } from '../../server/lab/cluster/remote-backend.ts';
import { startLabServer } from '../../server/lab/http/lab-server.ts';
import { LessonLibrary } from '../../server/lab/lesson-library.ts';
import { ClusterSession } from '../../server/lab/session/cluster-session.ts';
import { Workspace } from '../../server/lab/workspace.ts';

describe('isLoopback', () => {
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    'localhost',
    'LOCALHOST',
    'a.localhost',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '0:0:0:0:0:ffff:7f00:1',
    '0:0:0:0:0:0:0:1',
  ])('%s is loopback', (h) => expect(isLoopback(h)).toBe(true));
  it.each([
    '0.0.0.0',
    '::',
    '',
    '192.168.1.5',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'example.com',
    '128.0.0.1',
    'localhost.example.com',
  ])('%s is not', (h) => expect(isLoopback(h)).toBe(false));
});

describe('exposureWarning', () => {
  it('says nothing on loopback and names every interface for 0.0.0.0', () => {
    expect(exposureWarning('the lab', '127.0.0.1')).toBeNull();
    expect(exposureWarning('the lab', '0.0.0.0')).toMatch(
      /^WARNING: the lab listens on every network interface/,
    );
    expect(exposureWarning('node 1', '192.168.1.5')).toMatch(/listens on 192\.168\.1\.5.*127\.0\.0\.1/);
  });
});

describe('the lab server', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['0.0.0.0', true],
    ['127.0.0.1', false],
  ])('listening on %s prints a warning: %s', async (host, warns) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = new ClusterSession(
      new RemoteBackend({ nodes: ['http://127.0.0.1:16361'], adminToken: 't' }),
      { pollIntervalMs: 0, followEvents: false },
    );
    const lessons = resolve(import.meta.dirname, '../fixtures/lessons');
    const lab = await startLabServer(
      new LessonLibrary(lessons, new Workspace('/nonexistent-never-written')),
      session,
      {
        host,
        port: 0,
        root: resolve(import.meta.dirname, '../..'),
        dev: false,
      },
    );
    await lab.close();
    const printed = warn.mock.calls.map((c) => String(c[0]));
    if (warns)
      expect(printed.some((m) => m.includes('WARNING: the lab listens on every network interface'))).toBe(
        true,
      );
    else expect(printed.filter((m) => m.includes('WARNING'))).toEqual([]);
  });
});
