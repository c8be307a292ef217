// The editable source of an `http` or `cluster` cell. It starts as a plain text area (so
// the first screen never waits for Monaco, and editing works even if Monaco fails to load),
// then becomes a Monaco editor with the cell language's colouring and `{{variable}}` completion.
// Keys as in Jupyter: Shift+Enter runs and moves on, Ctrl/Cmd+Enter runs in place, Escape
// leaves the editor (to the cell's Run button); Tab never gets stuck in it.
import { css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { CLUSTER_LANGUAGE, HTTP_LANGUAGE } from '../hurl-language.ts';
import { loadMonaco, type MonacoModule } from '../monaco-loader.ts';
import { LightDomElement } from './light-dom-element.ts';
import { currentTheme } from './theme-toggle.ts';

const styles = css`
  cell-editor {
    display: block;
    border: 1px solid var(--border);
    border-radius: 4px;
    background: var(--code-bg);
    min-height: 2rem;
  }
  cell-editor:focus-within {
    border-color: var(--focus);
    box-shadow: 0 0 0 2px var(--focus);
  }
  cell-editor textarea {
    display: block;
    width: 100%;
    border: none;
    resize: vertical;
    background: transparent;
    color: var(--text);
    font: 13px/19px var(--mono);
    padding: 6px 10px;
    outline: none;
  }
  cell-editor .monaco-host {
    width: 100%;
  }
`;

export type RunKeys = 'advance' | 'stay';

@customElement('cell-editor')
export class CellEditor extends LightDomElement {
  @property() value = '';
  @property() language: 'http' | 'cluster' = 'http';
  @property() label = 'Cell source';
  /** `{{variable}}` names offered by completion while this editor has focus. */
  @property({ attribute: false }) variables: readonly string[] = [];
  @state() private ready = false;
  @query('textarea') private textarea?: HTMLTextAreaElement;
  @query('.monaco-host') private host?: HTMLDivElement;

  private editor: Monaco.editor.IStandaloneCodeEditor | null = null;
  private mod: MonacoModule | null = null;
  private applyingValue = false;

  static override documentStyles = styles;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('raft-lab-theme', this.onTheme);
    // After the first paint: the lesson is readable before Monaco arrives.
    requestAnimationFrame(() => setTimeout(() => this.upgrade(), 0));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('raft-lab-theme', this.onTheme);
    this.editor?.getModel()?.dispose();
    this.editor?.dispose();
    this.editor = null;
    this.ready = false;
  }

  override render() {
    if (this.ready) return html`<div class="monaco-host"></div>`;
    const rows = Math.max(2, this.value.split('\n').length);
    return html`<textarea
      aria-label="${this.label}. Shift+Enter runs the cell, Escape leaves the editor."
      spellcheck="false"
      rows=${rows}
      .value=${this.value}
      @input=${this.onTextInput}
      @keydown=${this.onTextKey}
    ></textarea>`;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('value') && this.editor && !this.applyingValue && this.editor.getValue() !== this.value) {
      this.editor.setValue(this.value);
    }
  }

  override focus(): void {
    if (this.editor) this.editor.focus();
    else this.textarea?.focus();
  }

  /** The text now in the editor (Monaco's model when it is up). */
  get source(): string {
    return this.editor ? this.editor.getValue() : this.value;
  }

  private onTextInput = (e: Event) => {
    this.setValueFromEditor((e.target as HTMLTextAreaElement).value);
  };

  private onTextKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && e.shiftKey) {
      e.preventDefault();
      this.emitRun('advance');
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.emitRun('stay');
    } else if (e.key === 'Escape') {
      this.emitLeave();
    }
  };

  private async upgrade(): Promise<void> {
    if (!this.isConnected || this.editor) return;
    let mod: MonacoModule;
    try {
      mod = await loadMonaco();
    } catch {
      return; // The text area keeps working; nothing is lost but the colouring.
    }
    if (!this.isConnected || this.editor) return;
    const hadFocus = this.textarea !== undefined && document.activeElement === this.textarea;
    const value = this.textarea?.value ?? this.value;
    this.mod = mod;
    this.ready = true;
    await this.updateComplete;
    if (!this.host || !this.isConnected) return;
    const { monaco } = mod;
    const model = monaco.editor.createModel(
      value,
      this.language === 'cluster' ? CLUSTER_LANGUAGE : HTTP_LANGUAGE,
    );
    const editor = monaco.editor.create(this.host, {
      model,
      theme: mod.themeFor(currentTheme()),
      ariaLabel: `${this.label}. Shift+Enter runs the cell, Ctrl+Enter runs it and stays, Escape leaves the editor.`,
      automaticLayout: true,
      minimap: { enabled: false },
      lineNumbers: 'off',
      glyphMargin: false,
      folding: false,
      lineDecorationsWidth: 8,
      scrollBeyondLastLine: false,
      wordWrap: 'on',
      fontSize: 13,
      lineHeight: 19,
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      padding: { top: 6, bottom: 6 },
      // The page scrolls, not the editor: a mouse wheel over a cell must not get stuck.
      scrollbar: { vertical: 'hidden', alwaysConsumeMouseWheel: false, handleMouseWheel: false },
      fixedOverflowWidgets: true,
      quickSuggestions: { other: true, comments: false, strings: true },
      tabSize: 2,
      // Tab moves to the next control, as everywhere else on the page, so the notebook can be
      // crossed with the keyboard alone; requests rarely need a literal tab.
      tabFocusMode: true,
    });
    this.editor = editor;
    const fitHeight = () => {
      if (this.host) this.host.style.height = `${Math.max(38, editor.getContentHeight())}px`;
    };
    editor.onDidContentSizeChange(fitHeight);
    fitHeight();
    model.onDidChangeContent(() => {
      this.applyingValue = true;
      this.setValueFromEditor(editor.getValue());
      this.applyingValue = false;
    });
    editor.onDidFocusEditorText(() => mod.setCompletionVariables(this.variables));
    editor.addAction({
      id: 'raft-lab.run-advance',
      label: 'Run cell and move to the next',
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
      run: () => this.emitRun('advance'),
    });
    editor.addAction({
      id: 'raft-lab.run-stay',
      label: 'Run cell',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => this.emitRun('stay'),
    });
    editor.addAction({
      id: 'raft-lab.leave',
      label: 'Leave the editor',
      keybindings: [monaco.KeyCode.Escape],
      precondition: '!suggestWidgetVisible && !findWidgetVisible',
      run: () => this.emitLeave(),
    });
    if (hadFocus) editor.focus();
    this.dispatchEvent(new Event('editor-ready', { bubbles: true }));
  }

  private setValueFromEditor(v: string): void {
    if (v === this.value) return;
    this.value = v;
    this.dispatchEvent(new CustomEvent('source-change', { detail: { source: v }, bubbles: true }));
  }

  private emitRun(keys: RunKeys): void {
    this.dispatchEvent(new CustomEvent('run-keys', { detail: { keys }, bubbles: true }));
  }

  private emitLeave(): void {
    this.dispatchEvent(new Event('leave-editor', { bubbles: true }));
  }

  private onTheme = () => {
    if (this.mod) this.mod.monaco.editor.setTheme(this.mod.themeFor(currentTheme()));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'cell-editor': CellEditor;
  }
}
