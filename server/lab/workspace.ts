// A learner's edits, kept apart from the lessons: `workspace/<lessonId>.json` holds the edited
// source of each changed cell and the scratch cells they added. `lessons/` is never written.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellType } from '../contract/lab-api.ts';

export interface ScratchCell {
  id: string;
  type: CellType;
  source: string;
  /** The cell it follows; null = at the top of the lesson. */
  after: string | null;
}

export interface LessonEdits {
  /** cellId → the learner's source. */
  edits: Record<string, string>;
  scratch: ScratchCell[];
}

const empty = (): LessonEdits => ({ edits: {}, scratch: [] });

export class Workspace {
  constructor(readonly dir: string) {}

  private file(lessonId: string): string {
    // Lesson ids are checked by the library; this is a second line of defence.
    if (!/^[A-Za-z0-9._-]+$/.test(lessonId) || lessonId.startsWith('.'))
      throw new Error(`bad lesson id ${lessonId}`);
    return join(this.dir, `${lessonId}.json`);
  }

  read(lessonId: string): LessonEdits {
    try {
      const data = JSON.parse(readFileSync(this.file(lessonId), 'utf8')) as Partial<LessonEdits>;
      return {
        edits: typeof data.edits === 'object' && data.edits !== null ? data.edits : {},
        scratch: Array.isArray(data.scratch) ? data.scratch : [],
      };
    } catch {
      // Missing or unreadable (hand-edited): start from the lesson as written.
      return empty();
    }
  }

  write(lessonId: string, edits: LessonEdits): void {
    const file = this.file(lessonId);
    if (Object.keys(edits.edits).length === 0 && edits.scratch.length === 0) {
      rmSync(file, { force: true });
      return;
    }
    mkdirSync(this.dir, { recursive: true });
    // Write then rename, so a crash never leaves half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(edits, null, 2)}\n`);
    renameSync(tmp, file);
  }

  /** Applies a change to a lesson's edits and saves them. */
  update<T>(lessonId: string, change: (edits: LessonEdits) => T): T {
    const edits = this.read(lessonId);
    const result = change(edits);
    this.write(lessonId, edits);
    return result;
  }

  clear(lessonId: string): void {
    rmSync(this.file(lessonId), { force: true });
  }
}
