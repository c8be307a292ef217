// What the learner clicked in the ring, in words (as RaftScope's server and message boxes), with
// what can be done to it: a held request can be delivered or dropped; a server's election timer
// can be fired now or paused. Buttons send the same action a `cluster` cell would.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { roleText, type Scene } from '../history/scene.ts';
import type { LiveState } from '../live-state.ts';
import type { RingSelection } from './cluster-ring.ts';
import { controlStyles } from './shared-styles.ts';

@customElement('ring-details')
export class RingDetails extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        margin-top: 0.3rem;
      }
      section {
        border: 1px solid var(--border);
        border-radius: 6px;
        background: var(--surface);
        padding: 0.35rem 0.5rem;
        font-size: 0.82rem;
      }
      h3 {
        font-size: 0.85rem;
        margin: 0 0 0.2rem;
        display: flex;
        justify-content: space-between;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0 0.6rem;
        margin: 0 0 0.3rem;
        font-family: var(--mono);
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
      }
      .buttons {
        display: flex;
        gap: 0.3rem;
        flex-wrap: wrap;
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @property({ attribute: false }) scene!: Scene;
  @property({ attribute: false }) selection!: RingSelection;

  override render() {
    const readOnly = this.live.replay !== null || this.live.clock.mode !== 'live';
    const s = this.selection;
    if (s.kind === 'server') {
      const x = this.scene.servers.find((v) => v.id === s.id);
      if (!x) return nothing;
      const canTimeOut = x.role === 'follower' || x.role === 'pre_candidate' || x.role === 'candidate';
      const paused = x.timer?.state === 'paused';
      return this.box(
        `${x.name} — ${roleText(x.role)}`,
        [
          ['currentTerm', String(x.term)],
          ['votedFor', x.votedFor ? `node${x.votedFor}` : 'null'],
          ['leader', x.leaderId ? `node${x.leaderId}` : '—'],
          ['commitIndex', String(x.commitIndex)],
          [
            'election timer',
            x.timer
              ? `${(x.timer.remainingMs / 1000).toFixed(2)} s of ${(x.timer.timeoutMs / 1000).toFixed(2)} s${paused ? ' (paused)' : ''}`
              : x.role === 'leader'
                ? 'none (a leader sends heartbeats)'
                : '—',
          ],
        ],
        html`<button ?disabled=${readOnly || !canTimeOut} @click=${() => this.act(`timeout ${x.name}`)}
            title="Its election timer fires now: it becomes a candidate (§5.2)">Time out</button>
          <button ?disabled=${readOnly || x.role === 'down'} @click=${() => this.act(`${paused ? 'resume' : 'pause'} timer ${x.name}`)}>
            ${paused ? 'Resume timer' : 'Pause timer'}
          </button>`,
      );
    }
    if (s.kind === 'held') {
      const h = this.scene.held.find((m) => m.id === s.id && m.from === s.from);
      if (!h) return this.box(`message ${s.id}`, [['', 'no longer held: delivered or dropped']], nothing);
      return this.box(
        `held ${h.heartbeat ? 'heartbeat' : h.rpc} ${h.id}`,
        [
          ['from → to', `node${h.from} → node${h.to}`],
          ['term', String(h.term)],
          ['entries', String(h.entries)],
          ['held for', `${((this.scene.t - h.heldAt) / 1000).toFixed(1)} s`],
        ],
        html`<button class="primary" ?disabled=${readOnly} @click=${() => this.act(`deliver ${h.id}`)}>Deliver</button>
          <button ?disabled=${readOnly} @click=${() => this.act(`drop ${h.id}`)}>Drop</button>`,
      );
    }
    const f = this.scene.flying.find((m) => m.key === s.key);
    if (!f) return this.box('message', [['', 'arrived']], nothing);
    return this.box(
      `${f.heartbeat ? 'heartbeat' : f.rpc} ${f.kind} ${f.id}`,
      [
        ['from → to', `node${f.from} → node${f.to}`],
        ['term', String(f.term)],
        ...(f.kind === 'request' ? [['entries', String(f.entries)] as [string, string]] : []),
        ...(f.result !== null
          ? [[f.rpc === 'request_vote' ? 'vote_granted' : 'success', String(f.result)] as [string, string]]
          : []),
        ...(f.lost ? [['lost', f.lost] as [string, string]] : []),
      ],
      nothing,
    );
  }

  private box(title: string, rows: [string, string][], buttons: unknown) {
    return html`<section aria-live="polite">
      <h3>${title} <button aria-label="Close" @click=${() => this.dispatchEvent(new Event('close'))}>✕</button></h3>
      <dl>${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      <div class="buttons">${buttons}</div>
    </section>`;
  }

  private act(action: string): void {
    this.dispatchEvent(new CustomEvent('node-action', { detail: { action }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ring-details': RingDetails;
  }
}
