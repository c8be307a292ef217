// What a test made and must take away again — temporary folders, processes, open files — undone
// after each test (also a failed one), newest first.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

export interface UndoAfterTest {
  /** Runs `undo` after the current test, before what was registered earlier. */
  later(undo: () => unknown): void;
  /** A new empty folder `<tmpdir>/<prefix>…`, deleted after the current test. */
  tempDir(): Promise<string>;
}

/** Registers the afterEach of a test file; `prefix` names its temporary folders (`raft-wal-`). */
export function undoAfterTest(prefix: string): UndoAfterTest {
  const undos: (() => unknown)[] = [];
  afterEach(async () => {
    for (const undo of undos.splice(0).reverse()) await undo();
  });
  return {
    later: (undo) => {
      undos.push(undo);
    },
    async tempDir() {
      const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
      undos.push(() => fs.rm(d, { recursive: true, force: true }));
      return d;
    },
  };
}
