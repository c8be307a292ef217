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

monaco.editor.defineTheme('raft-light', {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'variable', foreground: '8250df', fontStyle: 'bold' },
    { token: 'keyword.method', foreground: '0550ae', fontStyle: 'bold' },
    { token: 'keyword.status', foreground: '0550ae', fontStyle: 'bold' },
    { token: 'type.section', foreground: '953800', fontStyle: 'bold' },
    { token: 'attribute.name', foreground: '116329' },
    { token: 'keyword.query', foreground: '0a3069' },
    { token: 'string.url', foreground: '0a3069' },
  ],
  colors: {},
});
monaco.editor.defineTheme('raft-dark', {
  base: 'hc-black',
  inherit: true,
  rules: [
    { token: 'variable', foreground: 'ffb0ff', fontStyle: 'bold' },
    { token: 'keyword.method', foreground: '79c0ff', fontStyle: 'bold' },
    { token: 'keyword.status', foreground: '79c0ff', fontStyle: 'bold' },
    { token: 'type.section', foreground: 'ffd33d', fontStyle: 'bold' },
    { token: 'attribute.name', foreground: '7ee787' },
    { token: 'keyword.query', foreground: 'a5d6ff' },
    { token: 'string.url', foreground: 'a5d6ff' },
  ],
  colors: {},
});

export function themeFor(theme: string): string {
  return theme === 'dark' ? 'raft-dark' : 'raft-light';
}

export { monaco };
