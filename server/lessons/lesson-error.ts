// A lesson problem a person must fix: it always names the file, the line and what is wrong.

export interface LessonProblem {
  file: string;
  /** 1-based line in the lesson file (or in the cell's source when the file is unknown). */
  line: number;
  message: string;
}

export function formatProblem(p: LessonProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

/** Thrown by the parsers; carries every problem found, not just the first. */
export class LessonError extends Error {
  readonly problems: LessonProblem[];

  constructor(problems: LessonProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'LessonError';
    this.problems = problems;
  }

  get file(): string {
    return this.problems[0]?.file ?? '';
  }

  get line(): number {
    return this.problems[0]?.line ?? 0;
  }
}

/** Where a cell's source sits, so a problem on its n-th line maps to a line of the file. */
export interface SourcePlace {
  file: string;
  /** File line of the cell's first source line (the line after the opening fence). */
  firstLine: number;
}

/** The place of a cell not read from a lesson file (run from the notebook, or a test): its own line 1. */
export const CELL_PLACE: Readonly<SourcePlace> = Object.freeze({ file: 'cell', firstLine: 1 });

/** Used while a cell is parsed: collects problems with file lines. */
export class ProblemList {
  readonly problems: LessonProblem[] = [];

  constructor(private readonly place: SourcePlace) {}

  /** `lineIndex` is 0-based within the cell source. */
  add(lineIndex: number, message: string): void {
    this.problems.push({ file: this.place.file, line: this.place.firstLine + lineIndex, message });
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new LessonError(this.problems);
  }
}
