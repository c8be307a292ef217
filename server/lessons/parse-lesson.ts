// A lesson file: YAML front matter, then Markdown prose and fenced `http`/`cluster`/`check` cells.
// Browser-safe on purpose: the server, the CLI and the web app all use this one parser.
import { marked, type Tokens } from 'marked';
import { parseDocument } from 'yaml';
import { CELL_TYPES, type CellType } from '../contract/lab-api.ts';
import { decidingCell } from './deciding-cell.ts';
import { LessonError, type LessonProblem } from './lesson-error.ts';
import type { LessonBlock, LessonMeta, ParsedLesson } from './lesson-types.ts';
import { type ParsedCell, parseCell } from './parse-cell.ts';
import { parseViewAction } from './parse-network-action.ts';

const CELL_ID = /^[A-Za-z0-9_-]+$/;

/** `lessons/03-replication.md` → `03-replication`. */
export function lessonIdFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.md$/i, '');
}

/**
 * Parses a lesson; throws a LessonError listing every problem with its file and line.
 * `file` is only used to name the lesson and in messages.
 */
export function parseLesson(text: string, file: string): ParsedLesson {
  const problems: LessonProblem[] = [];
  const normalized = text.replace(/\r\n?/g, '\n');
  const { meta, body, bodyLine } = readFrontMatter(normalized, file, problems);
  const blocks: LessonBlock[] = [];
  const ids = new Set<string>();
  let prose: string[] = [];
  let line = bodyLine;
  let cellNumber = 0;
  const predictions: { id: string; line: number; after: string | null }[] = [];

  const flushProse = () => {
    const markdown = prose.join('').trim();
    if (markdown !== '') blocks.push({ kind: 'prose', markdown });
    prose = [];
  };

  for (const token of marked.lexer(body)) {
    const tokenLine = line;
    line += (token.raw.match(/\n/g) ?? []).length;
    const info = token.type === 'code' ? ((token as Tokens.Code).lang ?? '').trim().split(/\s+/) : [];
    const type = info[0] as CellType;
    if (token.type !== 'code' || !CELL_TYPES.includes(type)) {
      prose.push(token.raw);
      continue;
    }
    cellNumber++;
    const code = token as Tokens.Code;
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(code.raw)?.[1];
    if (fence === undefined) {
      problems.push({
        file,
        line: tokenLine,
        message: `a ${type} cell must be a fenced block (\`\`\`${type} … \`\`\`), not indented code`,
      });
      continue;
    }
    if (!code.raw.trimEnd().endsWith(fence)) {
      problems.push({
        file,
        line: tokenLine,
        message: `the ${fence}${type} fence opened here is never closed: add a line with ${fence}`,
      });
    }
    let id = `c${cellNumber}`;
    for (const attr of info.slice(1)) {
      const m = /^id=(.*)$/.exec(attr);
      if (!m) {
        problems.push({
          file,
          line: tokenLine,
          message: `unknown fence attribute \`${attr}\`: only \`id=<name>\` is allowed`,
        });
      } else if (!CELL_ID.test(m[1]!)) {
        problems.push({
          file,
          line: tokenLine,
          message: `cell id \`${m[1]}\` may only use letters, digits, - and _`,
        });
      } else {
        id = m[1]!;
      }
    }
    if (ids.has(id)) {
      problems.push({
        file,
        line: tokenLine,
        message: `two cells have the id \`${id}\`: give each cell its own id=`,
      });
    }
    ids.add(id);
    try {
      const parsed: ParsedCell = parseCell(type, code.text, { file, firstLine: tokenLine + 1 });
      if (parsed.type === 'predict') predictions.push({ id, line: tokenLine, after: parsed.predict.after });
    } catch (e) {
      if (e instanceof LessonError) problems.push(...e.problems);
      else throw e;
    }
    flushProse();
    blocks.push({ kind: 'cell', cell: { id, type, source: code.text, line: tokenLine } });
  }
  flushProse();
  const cells = blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
  for (const p of predictions) {
    const deciding = decidingCell(cells, p.id, p.after);
    if ('problem' in deciding) problems.push({ file, line: p.line, message: deciding.problem });
  }
  if (problems.length > 0) throw new LessonError(problems);
  return { id: lessonIdFromFile(file), file, ...meta, blocks };
}

function readFrontMatter(
  text: string,
  file: string,
  problems: LessonProblem[],
): { meta: LessonMeta; body: string; bodyLine: number } {
  const orderFromName = Number(/^(\d+)/.exec(lessonIdFromFile(file))?.[1] ?? 999);
  const meta: LessonMeta = {
    title: lessonIdFromFile(file),
    summary: '',
    order: orderFromName,
    nodes: 5,
    view: [],
  };
  const m = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!m) {
    problems.push({
      file,
      line: 1,
      message:
        'a lesson starts with front matter: a line `---`, then `title: …`, `summary: …`, `order: 1`, `nodes: 5`, then `---`',
    });
    return { meta, body: text, bodyLine: 1 };
  }
  const bodyLine = 1 + (m[0].match(/\n/g) ?? []).length;
  const doc = parseDocument(m[1]!);
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      problems.push({
        file,
        line: 1 + (err.linePos?.[0]?.line ?? 1),
        message: `front matter: ${err.message.split('\n')[0]}`,
      });
    }
    return { meta, body: text.slice(m[0].length), bodyLine };
  }
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push({
      file,
      line: 2,
      message: 'front matter must be `key: value` lines (title, summary, order, nodes)',
    });
    return { meta, body: text.slice(m[0].length), bodyLine };
  }
  const fm = data as Record<string, unknown>;
  const lineOf = (key: string) => {
    const idx = m[1]!.split('\n').findIndex((l) => l.startsWith(`${key}:`));
    return idx < 0 ? 2 : idx + 2;
  };
  if (typeof fm.title !== 'string' || fm.title.trim() === '') {
    problems.push({ file, line: lineOf('title'), message: 'front matter needs a `title:` (text)' });
  } else meta.title = fm.title.trim();
  if (fm.summary !== undefined) {
    if (typeof fm.summary !== 'string')
      problems.push({ file, line: lineOf('summary'), message: '`summary:` must be text' });
    else meta.summary = fm.summary.trim();
  }
  if (fm.order !== undefined) {
    if (typeof fm.order !== 'number' || !Number.isFinite(fm.order)) {
      problems.push({
        file,
        line: lineOf('order'),
        message: '`order:` must be a number (lessons are listed by it)',
      });
    } else meta.order = fm.order;
  }
  if (fm.nodes !== undefined) {
    if (!Number.isInteger(fm.nodes) || (fm.nodes as number) < 1 || (fm.nodes as number) > 9) {
      problems.push({ file, line: lineOf('nodes'), message: '`nodes:` must be a whole number from 1 to 9' });
    } else meta.nodes = fm.nodes as number;
  }
  if (fm.view !== undefined) {
    // `view: show heartbeats` or a list of such lines: the picture while the lesson is open.
    const lines = Array.isArray(fm.view) ? fm.view : [fm.view];
    for (const l of lines) {
      const [verb = '', ...words] = typeof l === 'string' ? l.trim().split(/\s+/) : [];
      try {
        if (verb !== 'show' && verb !== 'hide') throw new Error(`\`${verb}\` is neither`);
        const v = parseViewAction(verb, words, () => null);
        if ('part' in v) meta.view.push({ kind: v.kind, part: v.part });
      } catch (e) {
        problems.push({
          file,
          line: lineOf('view'),
          message: `\`view:\` lines are \`show\` or \`hide\` and a part of the picture, e.g. \`view: show heartbeats\`: ${(e as Error).message}`,
        });
      }
    }
  }
  return { meta, body: text.slice(m[0].length), bodyLine };
}
