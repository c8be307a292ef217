// The lesson parser's public surface, for the lab server, the CLI and the web app.
export * from './lesson-error.ts';
export * from './lesson-types.ts';
export { type ParsedCell, parseCell } from './parse-cell.ts';
export { parseCheckCell } from './parse-check-cell.ts';
export { parseClusterAction, parseClusterCell } from './parse-cluster-cell.ts';
export { HISTORY_VERBS, parseHistoryFact } from './parse-history-fact.ts';
export { parseHttpCell } from './parse-http-cell.ts';
export {
  LEARNER_CELL_WORDS,
  parseActCell,
  parseChooseCell,
  parsePredictCell,
} from './parse-learner-cells.ts';
export { lessonIdFromFile, parseLesson } from './parse-lesson.ts';
export { variablesIn } from './parse-value.ts';
