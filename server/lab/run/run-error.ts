// Why a cell could not run, said for a learner: what was wrong, what to do, and where.

import type { RunErrorInfo } from '../../contract/lab-api.ts';

export class CellRunError extends Error {
  readonly hint: string | null;
  readonly line: number | null;
  /** True when the cluster may fix it by itself (no leader yet, node down): worth a retry. */
  readonly transient: boolean;

  constructor(message: string, hint: string | null = null, line: number | null = null, transient = false) {
    super(message);
    this.name = 'CellRunError';
    this.hint = hint;
    this.line = line;
    this.transient = transient;
  }

  static transient(message: string, hint: string | null = null): CellRunError {
    return new CellRunError(message, hint, null, true);
  }

  /** The same error, blamed on a line of the cell (0-based index in, 1-based line out). */
  atLine(lineIndex: number): CellRunError {
    return this.line !== null
      ? this
      : new CellRunError(this.message, this.hint, lineIndex + 1, this.transient);
  }

  toInfo(): RunErrorInfo {
    return { message: this.message, hint: this.hint, line: this.line };
  }
}
