// The lessons folder as the notebook sees it: each lesson parsed, with the learner's edits
// and scratch cells (from the workspace) laid over it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  type CellType,
  isEditable,
  type LessonSummary,
  type NotebookBlock,
  type NotebookCell,
  type NotebookLesson,
  type RunResult,
  SCRATCH_CELL_TYPES,
} from '../contract/lab-api.ts';
import { decidingCell } from '../lessons/deciding-cell.ts';
import { formatProblem, LessonError } from '../lessons/lesson-error.ts';
import type { LessonCell, ParsedLesson } from '../lessons/lesson-types.ts';
import { parsePredictCell } from '../lessons/parse-learner-cells.ts';
import { lessonIdFromFile, parseLesson } from '../lessons/parse-lesson.ts';
import { ApiError } from './http/api-error.ts';
import type { LessonEdits, Workspace } from './workspace.ts';

const LESSON_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class LessonLibrary {
  private readonly cache = new Map<string, { mtimeMs: number; lesson: ParsedLesson | LessonError }>();

  constructor(
    readonly dir: string,
    private readonly workspace: Workspace,
  ) {}

  /** Lesson files: every `*.md` in the folder except a README. */
  files(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      throw new ApiError(
        500,
        'lessons_missing',
        `the lessons folder ${this.dir} cannot be read; start the lab with --lessons DIR`,
      );
    }
    return names
      .filter((n) => n.toLowerCase().endsWith('.md') && n.toLowerCase() !== 'readme.md' && LESSON_ID.test(n))
      .sort()
      .map((n) => join(this.dir, n));
  }

  /** Parses (or takes from the cache) one lesson file; returns the LessonError when malformed. */
  load(file: string): ParsedLesson | LessonError {
    const mtimeMs = statSync(file).mtimeMs;
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.lesson;
    const shown = relative(process.cwd(), file) || file;
    let lesson: ParsedLesson | LessonError;
    try {
      lesson = parseLesson(readFileSync(file, 'utf8'), shown);
    } catch (e) {
      if (!(e instanceof LessonError)) throw e;
      lesson = e;
    }
    this.cache.set(file, { mtimeMs, lesson });
    return lesson;
  }

  /** Every lesson, sorted by `order`; malformed ones are listed with their error. */
  list(): LessonSummary[] {
    return this.files()
      .map((file): LessonSummary => {
        const lesson = this.load(file);
        if (lesson instanceof LessonError) {
          const id = lessonIdFromFile(file);
          return {
            id,
            title: id,
            summary: '',
            order: 999,
            cells: 0,
            checks: 0,
            error: lesson.problems.map(formatProblem).join('\n'),
          };
        }
        const cells = lesson.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
        const checks = cells.filter((c) => c.type === 'check');
        const outputs = this.workspace.outputs(lesson.id);
        return {
          id: lesson.id,
          title: lesson.title,
          summary: lesson.summary,
          order: lesson.order,
          cells: cells.length,
          checks: checks.length,
          passed: checks.filter((c) => outputs[c.id]?.ok === true).length,
          ran: cells.filter((c) => outputs[c.id] !== undefined).length,
        };
      })
      .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  }

  /** The lesson as written; a 404 or 422 ApiError when it is missing or malformed. */
  parsed(id: string): ParsedLesson {
    if (!LESSON_ID.test(id))
      throw new ApiError(400, 'bad_lesson_id', `\`${id}\` is not a lesson id (letters, digits, . _ -)`);
    const file = this.files().find((f) => lessonIdFromFile(f) === id);
    if (!file) throw new ApiError(404, 'lesson_not_found', `there is no lesson \`${id}\` in ${this.dir}`);
    const lesson = this.load(file);
    if (lesson instanceof LessonError) {
      throw new ApiError(422, 'lesson_invalid', `the lesson file has problems:\n${lesson.message}`, {
        problems: lesson.problems,
      });
    }
    return lesson;
  }

  /** The newest output of each cell, as the notebook saved them (only cells the lesson still has). */
  outputs(id: string): RunResult[] {
    const lesson = this.get(id);
    const saved = this.workspace.outputs(id);
    return allCellIds(lesson).flatMap((cellId) => (saved[cellId] ? [saved[cellId]] : []));
  }

  /** Keeps a run's output with the learner's workspace. */
  saveOutput(result: RunResult): void {
    this.workspace.saveOutput(result);
  }

  /** The lesson with the learner's edits and scratch cells. */
  get(id: string): NotebookLesson {
    const lesson = this.parsed(id);
    return overlay(lesson, this.workspace.read(id));
  }

  cell(lessonId: string, cellId: string): NotebookCell {
    const cell = findCell(this.get(lessonId), cellId);
    if (!cell) throw new ApiError(404, 'cell_not_found', `lesson \`${lessonId}\` has no cell \`${cellId}\``);
    return cell;
  }

  /** The cell whose run decides the prediction `cellId` (its `after:`, else the next lesson cell). */
  decidingCell(lessonId: string, cellId: string): string | undefined {
    const lesson = this.get(lessonId);
    const cell = findCell(lesson, cellId);
    if (!cell) return undefined;
    const cells = lesson.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
    const deciding = decidingCell(cells, cellId, parsePredictCell(cell.original).after);
    return 'id' in deciding ? deciding.id : undefined;
  }

  saveCell(lessonId: string, cellId: string, source: string): NotebookCell {
    const cell = this.cell(lessonId, cellId);
    if (!isEditable(cell.type)) {
      throw new ApiError(
        409,
        'not_editable',
        `cell \`${cellId}\` is a ${cell.type} cell: ${cell.type === 'check' ? "checks are the lesson's tests" : "it is the lesson's own question"} and cannot be edited`,
      );
    }
    this.workspace.update(lessonId, (w) => {
      const scratch = w.scratch.find((s) => s.id === cellId);
      if (scratch) scratch.source = source;
      else if (source === cell.original) delete w.edits[cellId];
      else w.edits[cellId] = source;
    });
    return this.cell(lessonId, cellId);
  }

  addScratch(lessonId: string, after: string | null, type: CellType, source: string): NotebookCell {
    if (!(SCRATCH_CELL_TYPES as readonly string[]).includes(type)) {
      throw new ApiError(400, 'bad_cell_type', `a scratch cell is \`http\` or \`cluster\`, not \`${type}\``);
    }
    const lesson = this.get(lessonId);
    if (after !== null && !findCell(lesson, after)) {
      throw new ApiError(
        404,
        'cell_not_found',
        `lesson \`${lessonId}\` has no cell \`${after}\` to add a cell after`,
      );
    }
    const id = this.workspace.update(lessonId, (w) => {
      const taken = new Set([...allCellIds(lesson), ...w.scratch.map((s) => s.id)]);
      let n = 1;
      while (taken.has(`s${n}`)) n++;
      w.scratch.push({ id: `s${n}`, type, source, after });
      return `s${n}`;
    });
    return this.cell(lessonId, id);
  }

  deleteScratch(lessonId: string, cellId: string): void {
    const cell = this.cell(lessonId, cellId);
    if (!cell.scratch) {
      throw new ApiError(
        409,
        'not_scratch',
        `cell \`${cellId}\` belongs to the lesson; only scratch cells can be deleted (reset it instead)`,
      );
    }
    this.workspace.forgetOutput(lessonId, cellId);
    this.workspace.update(lessonId, (w) => {
      // Cells that followed the deleted one now follow what it followed.
      const gone = w.scratch.find((s) => s.id === cellId)!;
      w.scratch = w.scratch.filter((s) => s.id !== cellId);
      for (const s of w.scratch) if (s.after === cellId) s.after = gone.after;
    });
  }

  resetCell(lessonId: string, cellId: string): NotebookCell {
    const cell = this.cell(lessonId, cellId);
    if (cell.scratch)
      throw new ApiError(409, 'not_lesson_cell', `cell \`${cellId}\` is a scratch cell: delete it instead`);
    this.workspace.update(lessonId, (w) => {
      delete w.edits[cellId];
    });
    return this.cell(lessonId, cellId);
  }

  resetLesson(lessonId: string): NotebookLesson {
    this.parsed(lessonId);
    this.workspace.clear(lessonId);
    return this.get(lessonId);
  }
}

function allCellIds(lesson: NotebookLesson): string[] {
  return lesson.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell.id] : []));
}

function findCell(lesson: NotebookLesson, cellId: string): NotebookCell | null {
  for (const b of lesson.blocks) if (b.kind === 'cell' && b.cell.id === cellId) return b.cell;
  return null;
}

function notebookCell(cell: LessonCell, edits: LessonEdits): NotebookCell {
  const edit = isEditable(cell.type) ? edits.edits[cell.id] : undefined;
  return {
    id: cell.id,
    type: cell.type,
    source: edit ?? cell.source,
    original: cell.source,
    edited: edit !== undefined,
    scratch: false,
    line: cell.line,
  };
}

/** Lays the learner's edits and scratch cells over the lesson as written. */
export function overlay(lesson: ParsedLesson, edits: LessonEdits): NotebookLesson {
  const blocks: NotebookBlock[] = lesson.blocks.map((b) =>
    b.kind === 'prose' ? b : { kind: 'cell', cell: notebookCell(b.cell, edits) },
  );
  for (const s of edits.scratch) {
    const cell: NotebookBlock = {
      kind: 'cell',
      cell: {
        id: s.id,
        type: s.type,
        source: s.source,
        original: '',
        edited: false,
        scratch: true,
        line: null,
      },
    };
    let at = s.after === null ? 0 : blocks.findIndex((b) => b.kind === 'cell' && b.cell.id === s.after) + 1;
    if (s.after !== null && at === 0) at = blocks.length; // its anchor left the lesson: keep it at the end
    // After the anchor's earlier scratch cells, so scratch cells keep the order they were added in.
    while (
      at < blocks.length &&
      blocks[at]!.kind === 'cell' &&
      (blocks[at] as { cell: NotebookCell }).cell.scratch
    )
      at++;
    blocks.splice(at, 0, cell);
  }
  return {
    id: lesson.id,
    file: lesson.file,
    title: lesson.title,
    summary: lesson.summary,
    order: lesson.order,
    nodes: lesson.nodes,
    view: lesson.view,
    blocks,
  };
}
