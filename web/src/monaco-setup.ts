// Loaded only through monaco-loader.ts's dynamic import, so none of this is in the first
// screen's JavaScript. Only the editor features the cells use are pulled in (not every
// language Monaco ships), and its one web worker is bundled by Vite: no CDN.
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard';
import 'monaco-editor/editor/contrib/comment/browser/comment';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo';
import 'monaco-editor/editor/contrib/find/browser/findController';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations';
import 'monaco-esm/base/browser/ui/codicons/codicon/codicon.css';
import 'monaco-esm/base/browser/ui/codicons/codicon/codicon-modifiers.css';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerRaftLanguages } from './hurl-language.ts';

self.MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

let variables: readonly string[] = [];

/** The notebook tells Monaco which `{{variables}}` exist right now. */
export function setCompletionVariables(names: readonly string[]): void {
  variables = names;
}

registerRaftLanguages(monaco, () => variables);

/** Token colours: [token, light theme, high-contrast dark theme, bold]. */
const TOKEN_COLOURS: [token: string, light: string, dark: string, bold: boolean][] = [
  ['variable', '8250df', 'ffb0ff', true],
  ['keyword.method', '0550ae', '79c0ff', true],
  ['keyword.status', '0550ae', '79c0ff', true],
  ['type.section', '953800', 'ffd33d', true],
  ['attribute.name', '116329', '7ee787', false],
  ['keyword.query', '0a3069', 'a5d6ff', false],
  ['string.url', '0a3069', 'a5d6ff', false],
];
for (const [name, base, column] of [
  ['raft-light', 'vs', 1],
  ['raft-dark', 'hc-black', 2],
] as const) {
  monaco.editor.defineTheme(name, {
    base,
    inherit: true,
    rules: TOKEN_COLOURS.map((c) => ({
      token: c[0],
      foreground: c[column],
      ...(c[3] ? { fontStyle: 'bold' } : {}),
    })),
    colors: {},
  });
}

export function themeFor(theme: string): string {
  return theme === 'dark' ? 'raft-dark' : 'raft-light';
}

export { monaco };
