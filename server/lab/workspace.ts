// A learner's workspace, kept apart from the lessons: `workspace/<lessonId>.json` holds the
// edited source of each changed cell and the scratch cells they added; `outputs/<lessonId>.json`
// the newest output of each cell (like a Jupyter notebook's saved outputs), so a reload — or a
// lab restart — shows them again. `lessons/` is never written.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CellType, RunResult } from '../contract/lab-api.ts';

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

  private file(lessonId: string, folder = ''): string {
    // Lesson ids are checked by the library; this is a second line of defence.
    if (!/^[A-Za-z0-9._-]+$/.test(lessonId) || lessonId.startsWith('.'))
      throw new Error(`bad lesson id ${lessonId}`);
    return join(this.dir, folder, `${lessonId}.json`);
  }

  /** Writes then renames, so a crash never leaves half a file. */
  private save(file: string, data: unknown): void {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(tmp, file);
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
    this.save(file, edits);
  }

  /** Applies a change to a lesson's edits and saves them. */
  update<T>(lessonId: string, change: (edits: LessonEdits) => T): T {
    const edits = this.read(lessonId);
    const result = change(edits);
    this.write(lessonId, edits);
    return result;
  }

  /** Drops the lesson's edits and its saved outputs. */
  clear(lessonId: string): void {
    rmSync(this.file(lessonId), { force: true });
    rmSync(this.file(lessonId, OUTPUTS), { force: true });
  }

  /** The newest output of each cell of the lesson, by cell id. */
  outputs(lessonId: string): Record<string, RunResult> {
    try {
      const data = JSON.parse(readFileSync(this.file(lessonId, OUTPUTS), 'utf8')) as { results?: unknown };
      return typeof data.results === 'object' && data.results !== null
        ? (data.results as Record<string, RunResult>)
        : {};
    } catch {
      return {}; // none yet, or unreadable: the notebook starts without outputs
    }
  }

  /**
   * Keeps a run's output as its cell's newest; a prediction it decided is written into the
   * prediction's own output too (that is where the learner reads it).
   */
  saveOutput(result: RunResult): void {
    const results = this.outputs(result.lessonId);
    results[result.cellId] = result;
    for (const outcome of result.predictions ?? []) {
      const p = results[outcome.predictCellId];
      if (p?.predict) results[outcome.predictCellId] = { ...p, predict: { ...p.predict, outcome } };
    }
    this.save(this.file(result.lessonId, OUTPUTS), { results });
  }

  forgetOutput(lessonId: string, cellId: string): void {
    const results = this.outputs(lessonId);
    if (!(cellId in results)) return;
    delete results[cellId];
    this.save(this.file(lessonId, OUTPUTS), { results });
  }
}

const OUTPUTS = 'outputs';
