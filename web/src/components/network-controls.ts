// Message-level control from the panel, in the words a `cluster` cell uses (so the panel teaches
// the cell syntax): hold and release the network, deliver or drop the next held request (of a
// type, to a node), stop or restart every election timer, slow every wire, and put a delay,
// loss, duplication or reordering on one directed link.
import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

const TYPES = ['', 'request_vote', 'append_entries', 'heartbeat'] as const;

@customElement('network-controls')
export class NetworkControls extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 0.82rem;
      }
      fieldset {
        border: 1px solid var(--border);
        border-radius: 6px;
        padding: 0.25rem 0.45rem 0.35rem;
        margin: 0 0 0.3rem;
        display: flex;
        gap: 0.3rem;
        align-items: center;
        flex-wrap: wrap;
      }
      legend {
        font-weight: 700;
        font-size: 0.78rem;
        padding: 0 0.2rem;
      }
      button {
        padding: 0.1rem 0.45rem;
        font-size: 0.8rem;
      }
      select,
      input {
        font: 0.8rem var(--mono);
        color: var(--text);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
      }
      input[type='number'] {
        width: 4.2rem;
      }
      .count {
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) nodes: { id: string; name: string }[] = [];
  @property({ type: Boolean }) busy = false;
  /** Read-only (a replay): nothing can be sent. */
  @property({ type: Boolean }) readOnly = false;
  @property({ type: Boolean }) held = false;
  @property({ type: Number }) heldCount = 0;
  @property({ type: Boolean }) timersPaused = false;
  @property({ type: Boolean }) wiresSlow = false;
  @state() private type: (typeof TYPES)[number] = '';
  @state() private to = '';
  @state() private link = { from: '1', to: '2', delay: 200, jitter: 50, loss: 0, duplicate: 0, reorder: 0 };

  override render() {
    const off = this.busy || this.readOnly;
    const pick = [this.type, this.to ? `to ${this.to}` : ''].filter((w) => w !== '').join(' ');
    const l = this.link;
    return html`<fieldset>
        <legend>Messages</legend>
        <button
          aria-pressed=${this.held ? 'true' : 'false'}
          ?disabled=${off}
          @click=${() => this.emit(this.held ? 'release' : 'hold')}
          title=${this.held ? 'Send every held request, oldest first, and let the network flow' : 'Every request waits in its sender’s outbox; timers keep running'}
        >
          ${this.held ? '▶ Release' : '❚❚ Hold network'}
        </button>
        <span class="count" aria-live="polite">${this.heldCount} held</span>
        <select aria-label="Which type" @change=${(e: Event) => (this.type = (e.target as HTMLSelectElement).value as typeof this.type)}>
          ${TYPES.map((t) => html`<option value=${t} ?selected=${t === this.type}>${t || 'any type'}</option>`)}
        </select>
        <select aria-label="To which node" @change=${(e: Event) => (this.to = (e.target as HTMLSelectElement).value)}>
          <option value="">to any node</option>
          ${this.nodes.map((n) => html`<option value=${n.name} ?selected=${n.name === this.to}>to ${n.name}</option>`)}
        </select>
        <button ?disabled=${off || this.heldCount === 0} @click=${() => this.emit(`deliver next ${pick}`.trim())}>Deliver next</button>
        <button ?disabled=${off || this.heldCount === 0} @click=${() => this.emit(`deliver all ${pick}`.trim())}>all</button>
        <button ?disabled=${off || this.heldCount === 0} @click=${() => this.emit(`drop next ${pick}`.trim())}>Drop next</button>
      </fieldset>
      <fieldset>
        <legend>Timers and wires</legend>
        <button aria-pressed=${this.timersPaused ? 'true' : 'false'} ?disabled=${off} @click=${() => this.emit(this.timersPaused ? 'resume timers' : 'pause timers')}>
          ${this.timersPaused ? 'Resume timers' : 'Pause timers'}
        </button>
        <button
          aria-pressed=${this.wiresSlow ? 'true' : 'false'}
          ?disabled=${off}
          @click=${() => this.emit(this.wiresSlow ? 'wires normal' : 'wires delay 300ms jitter 50ms')}
          title="Every link takes 300 ± 50 ms: messages visibly travel"
        >
          ${this.wiresSlow ? 'Fast wires' : 'Slow the wires'}
        </button>
      </fieldset>
      <fieldset>
        <legend>One link</legend>
        <select aria-label="From" @change=${(e: Event) => (this.link = { ...l, from: (e.target as HTMLSelectElement).value })}>
          ${this.nodes.map((n) => html`<option value=${n.id} ?selected=${n.id === l.from}>${n.name}</option>`)}
        </select>
        →
        <select aria-label="To" @change=${(e: Event) => (this.link = { ...l, to: (e.target as HTMLSelectElement).value })}>
          ${this.nodes.map((n) => html`<option value=${n.id} ?selected=${n.id === l.to}>${n.name}</option>`)}
        </select>
        ${this.number('delay', 'ms', 0, 10000)} ${this.number('jitter', 'ms', 0, 10000)} ${this.number('loss', '%', 0, 100)}
        ${this.number('duplicate', '%', 0, 100)} ${this.number('reorder', '%', 0, 100)}
        <button ?disabled=${off || l.from === l.to} @click=${this.applyLink}>Apply</button>
        <button ?disabled=${off || l.from === l.to} @click=${() => this.emit(`link node${l.from}->node${l.to} normal`)}>Perfect</button>
      </fieldset>`;
  }

  private number(
    key: 'delay' | 'jitter' | 'loss' | 'duplicate' | 'reorder',
    unit: string,
    min: number,
    max: number,
  ) {
    return html`<label
      >${key} <input type="number" min=${min} max=${max} .value=${String(this.link[key])}
        @change=${(e: Event) => (this.link = { ...this.link, [key]: Number((e.target as HTMLInputElement).value) || 0 })}
      />${unit}</label
    >`;
  }

  private applyLink = () => {
    const l = this.link;
    const parts = [
      l.delay ? `delay ${l.delay}ms` : '',
      l.jitter ? `jitter ${l.jitter}ms` : '',
      l.loss ? `loss ${l.loss}%` : '',
      l.duplicate ? `duplicate ${l.duplicate}%` : '',
      l.reorder ? `reorder ${l.reorder}%` : '',
    ].filter((p) => p !== '');
    this.emit(`link node${l.from}->node${l.to} ${parts.length ? parts.join(' ') : 'normal'}`);
  };

  private emit(action: string): void {
    this.dispatchEvent(new CustomEvent('node-action', { detail: { action }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'network-controls': NetworkControls;
  }
}
