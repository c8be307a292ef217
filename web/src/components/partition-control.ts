// Partition and heal from the panel: the groups are typed exactly as a `cluster` cell
// writes them (`node1,node2 | node3,node4,node5`), so the panel teaches the cell syntax.
import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

@customElement('partition-control')
export class PartitionControl extends LitElement {
  static override styles = [
    controlStyles,
    css`
      form {
        display: flex;
        gap: 0.3rem;
        align-items: center;
        flex-wrap: wrap;
        font-size: 0.85rem;
      }
      input {
        font: 0.82rem var(--mono);
        flex: 1;
        min-width: 12rem;
        padding: 0.2rem 0.3rem;
        color: var(--text);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
      }
    `,
  ];

  @property({ type: Boolean }) busy = false;
  @property({ type: Number }) slow = 1;
  @state() private groups = 'node1,node2 | node3,node4,node5';

  override render() {
    return html`<form @submit=${this.partition}>
      <label for="groups">partition</label>
      <input
        id="groups"
        .value=${this.groups}
        @input=${(e: Event) => {
          this.groups = (e.target as HTMLInputElement).value;
        }}
        aria-describedby="groups-help"
      />
      <button type="submit" ?disabled=${this.busy}>Partition</button>
      <button type="button" ?disabled=${this.busy} @click=${() => this.emit('heal')}>Heal</button>
      <button
        type="button"
        ?disabled=${this.busy}
        aria-pressed=${this.slow < 1 ? 'true' : 'false'}
        @click=${() => this.emit(this.slow < 1 ? 'speed 1' : 'speed 0.1')}
        title="Slow motion: timers run at a tenth of normal speed"
      >
        ${this.slow < 1 ? 'Normal speed' : 'Slow motion'}
      </button>
      <span id="groups-help" class="visually-hidden">Groups separated by a bar; only nodes in one group can talk.</span>
    </form>`;
  }

  private partition(e: Event): void {
    e.preventDefault();
    this.emit(`partition ${this.groups.trim()}`);
  }

  private emit(action: string): void {
    this.dispatchEvent(new CustomEvent('node-action', { detail: { action }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'partition-control': PartitionControl;
  }
}
