// One list per word of the lesson language: the learner-step words, the history verbs and the
// hint causes come from the parser's own lists, and the lesson format documents every one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_FAILURE_CAUSES } from '../../server/lessons/lesson-types.ts';
import { HISTORY_SOURCES, HISTORY_VERBS } from '../../server/lessons/parse-history-fact.ts';
import { LEARNER_CELL_WORDS } from '../../server/lessons/parse-learner-cells.ts';

const doc = readFileSync(new URL('../../docs/lesson-format.md', import.meta.url), 'utf8');

describe('the lesson format documents every word the parser knows', () => {
  it('the words of predict, choose and act cells', () => {
    for (const [kind, words] of Object.entries(LEARNER_CELL_WORDS)) {
      expect(doc, kind).toContain(`\`\`\`${kind}`);
      for (const w of [...words.fields, ...words.sub])
        expect(doc, `${kind}: ${w}`).toMatch(new RegExp(`\`\\s*${w}:`));
    }
  });

  it('the verbs and sources of history facts, and the causes a hint can be for', () => {
    for (const verb of Object.values(HISTORY_VERBS)) expect(doc, verb).toContain(`\`${verb}\``);
    for (const source of Object.keys(HISTORY_SOURCES)) expect(doc, source).toContain(`\`${source}\``);
    for (const cause of CHECK_FAILURE_CAUSES) expect(doc, cause).toContain(`\`${cause}\``);
  });
});
