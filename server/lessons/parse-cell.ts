// Parses a cell's source by its type; the one entry point the executor and the lesson parser use.

import type { CellType } from '../contract/lab-api.ts';
import type { SourcePlace } from './lesson-error.ts';
import type {
  ActCell,
  CheckCell,
  ChooseCell,
  ClusterActionLine,
  HttpCell,
  PredictCell,
} from './lesson-types.ts';
import { parseCheckCell } from './parse-check-cell.ts';
import { parseClusterCell } from './parse-cluster-cell.ts';
import { parseHttpCell } from './parse-http-cell.ts';
import { parseActCell, parseChooseCell, parsePredictCell } from './parse-learner-cells.ts';

export type ParsedCell =
  | { type: 'http'; http: HttpCell }
  | { type: 'cluster'; actions: ClusterActionLine[] }
  | { type: 'check'; check: CheckCell }
  | { type: 'predict'; predict: PredictCell }
  | { type: 'choose'; choose: ChooseCell }
  | { type: 'act'; act: ActCell };

/** Throws a LessonError naming the line of every problem. */
export function parseCell(type: CellType, source: string, place?: SourcePlace): ParsedCell {
  switch (type) {
    case 'http':
      return { type, http: parseHttpCell(source, place) };
    case 'cluster':
      return { type, actions: parseClusterCell(source, place) };
    case 'check':
      return { type, check: parseCheckCell(source, place) };
    case 'predict':
      return { type, predict: parsePredictCell(source, place) };
    case 'choose':
      return { type, choose: parseChooseCell(source, place) };
    case 'act':
      return { type, act: parseActCell(source, place) };
  }
}
