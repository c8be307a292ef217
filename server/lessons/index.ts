// The lesson parser's public surface, for the lab server, the CLI and the web app.
export * from './lesson-error.ts';
export * from './lesson-types.ts';
export { type ParsedCell, parseCell } from './parse-cell.ts';
export { parseCheckCell } from './parse-check-cell.ts';
export { parseClusterAction, parseClusterCell } from './parse-cluster-cell.ts';
export { parseHttpCell } from './parse-http-cell.ts';
export { lessonIdFromFile, parseLesson } from './parse-lesson.ts';
export { variablesIn } from './parse-value.ts';
