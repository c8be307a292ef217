// One node in the live panel: its role in words (LEADER, not just a colour), term, vote,
// commit index, whether it is up, paused or cut off, its held requests and stopped timer, its
// log strip, and the fault buttons. A button sends the same action text a `cluster` cell would.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { NodeView } from '../../../server/contract/cluster-view.ts';
import type { Role } from '../../../server/contract/node-status.ts';
import { roleText } from '../history/scene.ts';
import { controlStyles } from './shared-styles.ts';
import './log-strip.ts';

/** The node's Raft role, or why it has none: down, paused, or its /status did not answer. */
export type NodeRole = Role | 'down' | 'paused' | 'no answer';

export function roleOf(n: NodeView): NodeRole {
  if (!n.up) return 'down';
  if (n.paused) return 'paused';
  return n.status?.state ?? 'no answer';
}

@customElement('node-card')
export class NodeCard extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      article {
        border: 1px solid var(--border);
        border-left: 6px solid var(--role-color, var(--border));
        border-radius: 6px;
        padding: 0.35rem 0.5rem;
        background: var(--surface);
      }
      article.leader {
        border-width: 2px 2px 2px 6px;
      }
      header {
        display: flex;
        align-items: baseline;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .name {
        font-weight: 700;
      }
      .role {
        font: 700 0.72rem/1 var(--font);
        letter-spacing: 0.05em;
        padding: 0.15rem 0.35rem;
        border-radius: 3px;
        background: var(--role-color);
        color: var(--surface);
      }
      .facts {
        font: 0.8rem var(--mono);
        color: var(--muted);
      }
      .facts strong {
        color: var(--text);
      }
      .cut {
        font-size: 0.8rem;
        color: var(--warn);
        font-weight: 600;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin-top: 0.3rem;
      }
      log-strip {
        flex: 1;
        min-width: 0;
        overflow: hidden;
      }
      .buttons {
        display: flex;
        gap: 0.25rem;
      }
      .buttons button {
        padding: 0.1rem 0.4rem;
        font-size: 0.78rem;
      }
    `,
  ];

  @property({ attribute: false }) node!: NodeView;
  @property({ type: Number }) from = 1;
  @property({ type: Number }) to = 0;
  @property({ type: Boolean }) busy = false;
  /** A replay: the card shows the past and offers no buttons. */
  @property({ type: Boolean }) readOnly = false;

  override render() {
    const n = this.node;
    const role = roleOf(n);
    const s = n.status;
    const look =
      role === 'paused' || role === 'no answer' ? 'muted' : role === 'pre_candidate' ? 'candidate' : role;
    const color = `var(--${look})`;
    return html`<article class=${role} style="--role-color:${color}" aria-label="${n.name}, ${role}">
      <header>
        <span class="name">${n.name}</span>
        <span class="role">${role === 'leader' ? '★ ' : ''}${roleText(role).toUpperCase()}</span>
        ${
          s
            ? html`<span class="facts">
              term <strong>${s.term}</strong> · vote <strong>${s.voted_for ? `node${s.voted_for}` : '—'}</strong> ·
              commit <strong>${s.commit_index}</strong>
            </span>
            ${s.faults?.held ? html`<span class="cut" title="The network is held: requests wait in the outbox">❚❚ held${s.faults.held_count > 0 ? `: ${s.faults.held_count} in its outbox` : ''}</span>` : nothing}
            ${s.faults?.timer_paused && role !== 'leader' ? html`<span class="cut" title="Its election timer is stopped">timer stopped</span>` : nothing}`
            : html`<span class="facts">${n.error ?? (n.up ? 'not answering' : 'process stopped')}</span>`
        }
      </header>
      ${
        n.partitionedFrom?.length
          ? html`<div class="cut">⚡ cut off from ${n.partitionedFrom.map((id) => `node${id}`).join(', ')}</div>`
          : nothing
      }
      <div class="row">
        <log-strip
          .node=${n.name}
          .entries=${s?.log ?? []}
          .commitIndex=${s?.commit_index ?? 0}
          .from=${this.from}
          .to=${this.to}
        ></log-strip>
        <div class="buttons" ?hidden=${this.readOnly}>
          ${
            n.up
              ? html`<button ?disabled=${this.busy} @click=${() => this.act('kill')} aria-label="Kill ${n.name}">Kill</button>`
              : html`<button ?disabled=${this.busy} @click=${() => this.act('restart')} aria-label="Restart ${n.name}">
                Restart
              </button>`
          }
          ${
            n.paused
              ? html`<button ?disabled=${this.busy} @click=${() => this.act('resume')} aria-label="Resume ${n.name}">
                Resume
              </button>`
              : html`<button
                ?disabled=${this.busy || !n.up}
                @click=${() => this.act('pause')}
                aria-label="Pause ${n.name}"
              >
                Pause
              </button>`
          }
          <button
            ?disabled=${this.busy || !n.up || n.paused || role === 'leader'}
            @click=${() => this.act('timeout')}
            aria-label="Time out ${n.name}"
            title="Its election timer fires now: it becomes a candidate (§5.2)"
          >
            Time out
          </button>
        </div>
      </div>
    </article>`;
  }

  private act(verb: string): void {
    this.dispatchEvent(
      new CustomEvent('node-action', {
        detail: { action: `${verb} ${this.node.name}` },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'node-card': NodeCard;
  }
}
