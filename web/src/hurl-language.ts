// Monaco support for the cell languages: Hurl-style requests (`http` cells) and cluster
// actions (`cluster` cells): token colouring and completion of `{{variables}}`, methods,
// sections, queries, filters, predicates, options and actions, all from the parsers' own
// lists. The completion logic is plain functions so it can be tested without Monaco; Monaco
// itself is only imported as types here.

import type * as Monaco from 'monaco-editor/editor/editor.api';
import { CLUSTER_ACTION_WORDS } from '../../server/lessons/parse-cluster-cell.ts';
import {
  HTTP_FILTERS,
  HTTP_METHODS,
  HTTP_OPTIONS,
  HTTP_PREDICATES,
  HTTP_QUERIES,
  HTTP_SECTIONS,
} from '../../server/lessons/parse-http-cell.ts';

/** A line's leading action word (`wait leader` → `wait`), from the parser's own list. */
const ACTION_START = new RegExp(
  `^\\s*(${[...new Set(CLUSTER_ACTION_WORDS.map((w) => w.split(' ')[0]))].join('|')})\\b`,
);

export const HTTP_LANGUAGE = 'raft-http';
export const CLUSTER_LANGUAGE = 'raft-cluster';

// Every word comes from the parser's own lists, so the editor knows exactly what it accepts.
const METHODS: string[] = [...HTTP_METHODS];
const SECTIONS = HTTP_SECTIONS.map((s) => `[${s}]`);
const QUERIES: string[] = [...HTTP_QUERIES];
const FILTERS: string[] = [...HTTP_FILTERS];
const PREDICATES: string[] = [...HTTP_PREDICATES, 'not'];
const OPTIONS = HTTP_OPTIONS.map((o) => `${o}:`);

const words = (list: readonly string[]) =>
  list.map((w) => w.replace(/[|\\{}()[\]^$+*?.]/g, '\\$&')).join('|');
const WORD_PREDICATES = PREDICATES.filter((p) => /^\w+$/.test(p));
const SYMBOL_PREDICATES = PREDICATES.filter((p) => !/^\w+$/.test(p));

export const hurlTokens: Monaco.languages.IMonarchLanguage = {
  ignoreCase: false,
  methods: METHODS,
  tokenizer: {
    root: [
      [/^\s*#.*$/, 'comment'],
      [/\{\{\s*[\w.-]+\s*\}\}/, 'variable'],
      [new RegExp(`^(${words(METHODS)})(?=\\s)`), 'keyword.method'],
      [/^HTTP(\/[\d.]+)?(?=\s)/, 'keyword.status', '@status'],
      [new RegExp(`^\\[(${words(HTTP_SECTIONS)})\\]`), 'type.section'],
      [/^[A-Za-z][\w-]*(?=:\s)/, 'attribute.name'],
      [new RegExp(`\\b(${words([...QUERIES, ...FILTERS])})\\b`), 'keyword.query'],
      [new RegExp(`(${words(SYMBOL_PREDICATES)})|\\b(${words(WORD_PREDICATES)})\\b`), 'operator'],
      [/\b(true|false|null)\b/, 'constant'],
      [/-?\d+(\.\d+)?(ms|s)?\b/, 'number'],
      [/"/, 'string', '@string'],
      [/\/(?:[^/\\\s]|\\.)+\/(?=\s*$)/, 'regexp'],
      [/https?:\/\/[^\s{}]+/, 'string.url'],
    ],
    status: [
      [/\s+/, ''],
      [/(\d{3}|\*)/, 'number.status', '@pop'],
      [/$/, '', '@pop'],
    ],
    string: [
      [/\{\{\s*[\w.-]+\s*\}\}/, 'variable'],
      [/[^"\\{]+/, 'string'],
      [/\\./, 'string.escape'],
      [/\{/, 'string'],
      [/"/, 'string', '@pop'],
    ],
  },
};

export const clusterTokens: Monaco.languages.IMonarchLanguage = {
  tokenizer: {
    root: [
      [/#.*$/, 'comment'],
      [/\{\{\s*[\w.-]+\s*\}\}/, 'variable'],
      [ACTION_START, 'keyword.method'],
      [/\b(leader|caught up)\b/, 'keyword.query'],
      [/\bnode\d+\b/, 'attribute.name'],
      [/\|/, 'operator'],
      [/\d+(\.\d+)?(ms|s)?\b/, 'number'],
    ],
  },
};

export interface CompletionItem {
  label: string;
  insertText: string;
  detail: string;
  kind: 'variable' | 'keyword';
}

/** The names a `{{…}}` can use: the nodes, leader/follower and this lesson's captures. */
export function variableNames(nodeCount: number, captured: readonly string[]): string[] {
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node${i + 1}`);
  return [...nodes, 'leader', 'follower', ...captured.filter((c) => !nodes.includes(c))];
}

/**
 * What to offer at the cursor, given the text of the line before it. Inside an unclosed
 * `{{` only variables make sense; at the start of a line, what can start one.
 */
export function completionsAt(
  lineBefore: string,
  language: 'http' | 'cluster',
  variables: readonly string[],
): { items: CompletionItem[]; replaceFrom: number } {
  const open = lineBefore.lastIndexOf('{{');
  if (open >= 0 && !lineBefore.slice(open).includes('}}')) {
    const typed = lineBefore.slice(open + 2).trimStart();
    return {
      replaceFrom: open,
      items: variables
        .filter((v) => v.startsWith(typed))
        .map((v) => ({ label: v, insertText: `{{${v}}}`, detail: describeVariable(v), kind: 'variable' })),
    };
  }
  const word = /[\w\-[:]*$/.exec(lineBefore)?.[0] ?? '';
  const replaceFrom = lineBefore.length - word.length;
  const atLineStart = lineBefore.trim() === word;
  const keywords =
    language === 'cluster'
      ? atLineStart
        ? [...CLUSTER_ACTION_WORDS]
        : variables.filter((v) => v.startsWith('node'))
      : atLineStart
        ? [...METHODS, ...SECTIONS, ...OPTIONS, ...QUERIES, 'HTTP 200']
        : [...QUERIES, ...FILTERS, ...PREDICATES];
  return {
    replaceFrom,
    items: keywords
      .filter((k) => k.toLowerCase().startsWith(word.toLowerCase()))
      .map((k) => ({ label: k, insertText: k, detail: 'keyword', kind: 'keyword' })),
  };
}

function describeVariable(v: string): string {
  if (v === 'leader') return "the current leader's URL, resolved when the cell runs";
  if (v === 'follower') return "a reachable follower's URL, resolved when the cell runs";
  if (/^node\d+$/.test(v)) return `${v}'s URL`;
  return 'captured by an earlier cell';
}

/** Registers both languages with a loaded Monaco; `variables()` is asked on every completion. */
export function registerRaftLanguages(monaco: typeof Monaco, variables: () => readonly string[]): void {
  monaco.languages.register({ id: HTTP_LANGUAGE });
  monaco.languages.register({ id: CLUSTER_LANGUAGE });
  monaco.languages.setMonarchTokensProvider(HTTP_LANGUAGE, hurlTokens);
  monaco.languages.setMonarchTokensProvider(CLUSTER_LANGUAGE, clusterTokens);
  for (const [id, lang] of [
    [HTTP_LANGUAGE, 'http'],
    [CLUSTER_LANGUAGE, 'cluster'],
  ] as const) {
    monaco.languages.setLanguageConfiguration(id, {
      comments: { lineComment: '#' },
      brackets: [
        ['{', '}'],
        ['[', ']'],
      ],
      autoClosingPairs: [
        { open: '{', close: '}' },
        { open: '[', close: ']' },
        { open: '"', close: '"' },
      ],
    });
    monaco.languages.registerCompletionItemProvider(id, {
      triggerCharacters: ['{'],
      provideCompletionItems(model, position) {
        const lineBefore = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
        const { items, replaceFrom } = completionsAt(lineBefore, lang, variables());
        const lineAfter = model.getLineContent(position.lineNumber).slice(position.column - 1);
        // Swallow the `}}` Monaco auto-closed, so accepting `{{leader}}` does not leave `}}}}`.
        const closing = /^\}{0,2}/.exec(lineAfter)?.[0].length ?? 0;
        const range = new monaco.Range(
          position.lineNumber,
          replaceFrom + 1,
          position.lineNumber,
          position.column,
        );
        return {
          suggestions: items.map((it, i) => ({
            sortText: String(i).padStart(4, '0'),
            label: it.label,
            insertText: it.insertText,
            // Monaco filters by the text in the range, which starts at the `{{`.
            filterText: it.kind === 'variable' ? it.insertText : it.label,
            detail: it.detail,
            kind:
              it.kind === 'variable'
                ? monaco.languages.CompletionItemKind.Variable
                : monaco.languages.CompletionItemKind.Keyword,
            range:
              it.kind === 'variable'
                ? new monaco.Range(
                    range.startLineNumber,
                    range.startColumn,
                    range.endLineNumber,
                    range.endColumn + closing,
                  )
                : range,
          })),
        };
      },
    });
  }
}
