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

/** Each cell type's parser; each throws a LessonError naming the line of every problem. */
const PARSERS: { [T in CellType]: (source: string, place?: SourcePlace) => ParsedCell } = {
  http: (source, place) => ({ type: 'http', http: parseHttpCell(source, place) }),
  cluster: (source, place) => ({ type: 'cluster', actions: parseClusterCell(source, place) }),
  check: (source, place) => ({ type: 'check', check: parseCheckCell(source, place) }),
  predict: (source, place) => ({ type: 'predict', predict: parsePredictCell(source, place) }),
  choose: (source, place) => ({ type: 'choose', choose: parseChooseCell(source, place) }),
  act: (source, place) => ({ type: 'act', act: parseActCell(source, place) }),
};

/** Throws a LessonError naming the line of every problem. */
export function parseCell(type: CellType, source: string, place?: SourcePlace): ParsedCell {
  return PARSERS[type](source, place);
}
