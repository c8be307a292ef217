import { describe, expect, it } from 'vitest';
import * as parser from '../../server/lessons/parse-http-cell.ts';
import { completionsAt, hurlTokens, variableNames } from './hurl-language.ts';

const vars = variableNames(5, ['term_before']);

describe('cell completion', () => {
  it('offers every node, leader, follower and the captures inside {{', () => {
    const { items, replaceFrom } = completionsAt('GET {{', 'http', vars);
    expect(items.map((i) => i.label)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
      'leader',
      'follower',
      'term_before',
    ]);
    expect(replaceFrom).toBe(4);
    expect(items[5].insertText).toBe('{{leader}}');
  });

  it('narrows variables to what was typed after {{', () => {
    expect(completionsAt('POST {{le', 'http', vars).items.map((i) => i.label)).toEqual(['leader']);
    expect(completionsAt('jsonpath "$.term" > {{term', 'http', vars).items.map((i) => i.label)).toEqual([
      'term_before',
    ]);
  });

  it('offers no variables once the braces are closed', () => {
    const { items } = completionsAt('GET {{node1}}/st', 'http', vars);
    expect(items.every((i) => i.kind === 'keyword')).toBe(true);
  });

  it('offers request methods and sections at the start of an http line', () => {
    const labels = completionsAt('PO', 'http', vars).items.map((i) => i.label);
    expect(labels).toEqual(['POST']);
    expect(completionsAt('[A', 'http', vars).items.map((i) => i.label)).toEqual(['[Asserts]']);
  });

  it('offers actions at the start of a cluster line and node names after one', () => {
    expect(completionsAt('ki', 'cluster', vars).items.map((i) => i.label)).toEqual(['kill']);
    expect(completionsAt('kill no', 'cluster', vars).items.map((i) => i.label)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
    ]);
  });

  it('does not list a capture twice when it shadows a node name', () => {
    expect(variableNames(3, ['node2', 'x'])).toEqual(['node1', 'node2', 'node3', 'leader', 'follower', 'x']);
  });
});

describe('the editor knows every word the http-cell parser accepts', () => {
  const { HTTP_FILTERS, HTTP_METHODS, HTTP_OPTIONS, HTTP_PREDICATES, HTTP_QUERIES, HTTP_SECTIONS } = parser;
  const rules = hurlTokens.tokenizer.root as [RegExp, string, string?][];
  /** The token class the editor gives `word` at the start of `line`. */
  const tokenOf = (line: string, word: string) =>
    rules.find(([rx]) => new RegExp(`^(?:${rx.source})`).exec(line)?.[0] === word)?.[1];
  const parses = (asserts: string, options = '') =>
    parser.parseHttpCell(`GET http://127.0.0.1:1/status\n${options}\nHTTP 200\n[Asserts]\n${asserts}`);

  it('the parser accepts every word it exports (so the lists below are its truth)', () => {
    for (const p of HTTP_PREDICATES) {
      expect(
        () => parses(`jsonpath "$.a" ${p}${parser.VALUELESS_PREDICATES.includes(p) ? '' : ' 1'}`),
        p,
      ).not.toThrow();
    }
    for (const f of HTTP_FILTERS)
      expect(() => parses(`jsonpath "$.a" ${f}${f === 'nth' ? ' 0' : ''} == 1`)).not.toThrow();
    for (const q of HTTP_QUERIES)
      expect(() => parses(`${q}${/jsonpath|header/.test(q) ? ' "$.a"' : ''} exists`)).not.toThrow();
    const values: Record<string, string> = {
      location: 'true',
      'retry-interval': '1s',
      delay: '1s',
      timeout: '1s',
    };
    for (const o of HTTP_OPTIONS)
      expect(() => parses('status == 200', `[Options]\n${o}: ${values[o] ?? '1'}`), o).not.toThrow();
  });

  it('colours every method, section, query, filter, predicate and option as the parser reads it', () => {
    for (const m of HTTP_METHODS) expect(tokenOf(`${m} {{node1}}/status`, m), m).toBe('keyword.method');
    for (const s of HTTP_SECTIONS) expect(tokenOf(`[${s}]`, `[${s}]`), s).toBe('type.section');
    for (const q of [...HTTP_QUERIES, ...HTTP_FILTERS]) expect(tokenOf(`${q} x`, q), q).toBe('keyword.query');
    for (const p of HTTP_PREDICATES) expect(tokenOf(`${p} 1`, p), p).toBe('operator');
    for (const o of HTTP_OPTIONS) expect(tokenOf(`${o}: 1`, o), o).toBe('attribute.name');
  });

  it('completes them where they can stand: request words at a line start, the rest after a query', () => {
    const start = completionsAt('', 'http', []).items.map((i) => i.label);
    for (const w of [
      ...HTTP_METHODS,
      ...HTTP_SECTIONS.map((s) => `[${s}]`),
      ...HTTP_OPTIONS.map((o) => `${o}:`),
    ]) {
      expect(start, w).toContain(w);
    }
    const after = completionsAt('jsonpath "$.log" ', 'http', []).items.map((i) => i.label);
    for (const w of [...HTTP_QUERIES, ...HTTP_FILTERS, ...HTTP_PREDICATES]) expect(after, w).toContain(w);
  });

  it('no longer offers count as a predicate, and knows includes, isFloat, max-redirs, delay and timeout', () => {
    expect(HTTP_PREDICATES).not.toContain('count');
    expect(tokenOf('count x', 'count')).toBe('keyword.query');
    for (const p of ['includes', 'isFloat']) expect(tokenOf(`${p} 1`, p)).toBe('operator');
    for (const o of ['max-redirs', 'delay', 'timeout']) {
      expect(completionsAt('', 'http', []).items.map((i) => i.label)).toContain(`${o}:`);
    }
  });
});
