// The set-up helper of the lab's test fixtures: a failed start leaves nothing behind.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOrTakeDown } from './start-or-take-down.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'raft-take-down-'));

describe('startOrTakeDown', () => {
  it('when starting fails: stops what was started (with nothing to hand over), deletes the folder, rethrows', async () => {
    const dir = tempDir();
    const stopped: (string | null)[] = [];
    const failing = startOrTakeDown(
      dir,
      async (): Promise<string> => {
        throw new Error('port in use');
      },
      async (started) => {
        stopped.push(started);
      },
    );
    await expect(failing).rejects.toThrow('port in use');
    expect(stopped).toEqual([null]);
    expect(existsSync(dir)).toBe(false);
  });

  it('once started: hands over what start gave, and its stop stops that and deletes the folder', async () => {
    const dir = tempDir();
    const stopped: (string | null)[] = [];
    const fixture = await startOrTakeDown(
      dir,
      async () => 'server',
      async (started) => {
        stopped.push(started);
      },
    );
    expect(fixture.started).toBe('server');
    expect(existsSync(dir)).toBe(true);
    await fixture.stop();
    expect(stopped).toEqual(['server']);
    expect(existsSync(dir)).toBe(false);
  });
});
