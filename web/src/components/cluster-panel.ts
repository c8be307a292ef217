// The live cluster beside the notebook: a card per node (role, term, vote, commit, log
// strip, fault buttons), partition/heal, the action history and the message timeline.
// Everything here is fed by the lab's live channel; buttons go through the lab's actions API.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { NodeView } from '../../../server/contract/cluster-view.ts';
import type { LabClient } from '../lab-client.ts';
import type { LiveState } from '../live-state.ts';
import { controlStyles } from './shared-styles.ts';
import './action-history.ts';
import './message-timeline.ts';
import './node-card.ts';
import './partition-control.ts';

/** How many log slots each strip shows: the newest, aligned by index across the nodes. */
const SLOTS = 14;

export function logWindow(nodes: readonly NodeView[], slots = SLOTS): { from: number; to: number } {
  const last = Math.max(0, ...nodes.map((n) => n.status?.log.at(-1)?.index ?? 0));
  const to = Math.max(last, slots);
  return { from: to - slots + 1, to };
}

@customElement('cluster-panel')
export class ClusterPanel extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        padding: 0.5rem;
      }
      h2 {
        font-size: 0.95rem;
        margin: 0.3rem 0 0.2rem;
        display: flex;
        justify-content: space-between;
        align-items: baseline;
      }
      h2 small {
        font-weight: 400;
        color: var(--muted);
        font-size: 0.78rem;
      }
      .nodes {
        display: flex;
        flex-direction: column;
        gap: 0.3rem;
      }
      .error {
        color: var(--bad);
        font-size: 0.85rem;
      }
      .empty {
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @property({ attribute: false }) client!: LabClient;
  @state() private busy = false;
  @state() private error = '';
  private unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.live.on(['snapshot', 'history'], () => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override render() {
    const s = this.live.snapshot;
    const nodes = s?.nodes ?? [];
    const win = logWindow(nodes);
    const leader = nodes.find((n) => n.id === s?.leaderId);
    const speed = Math.min(1, ...nodes.map((n) => n.status?.faults?.speed ?? 1));
    return html`<h2 id="cluster-title">
        Cluster
        <small>${leader?.status ? `leader ${leader.name} · term ${leader.status.term}` : s ? `no leader · highest term ${Math.max(s.term, s.lastKnownTerm ?? 0)}` : ''}</small>
      </h2>
      <div class="nodes" role="list" aria-labelledby="cluster-title" @node-action=${this.onAction}>
        ${
          nodes.length
            ? nodes.map(
                (n) =>
                  html`<node-card role="listitem" .node=${n} .from=${win.from} .to=${win.to} .busy=${this.busy}></node-card>`,
              )
            : html`<p class="empty">Waiting for the lab to report the cluster…</p>`
        }
      </div>
      <div @node-action=${this.onAction}>
        <partition-control .busy=${this.busy} .slow=${speed}></partition-control>
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <h2>Messages</h2>
      <message-timeline .live=${this.live}></message-timeline>
      <h2>History</h2>
      <action-history .items=${this.live.history}></action-history>`;
  }

  private onAction = async (e: Event) => {
    e.stopPropagation();
    const action = (e as CustomEvent<{ action: string }>).detail.action;
    this.busy = true;
    this.error = '';
    try {
      const res = await this.client.action(action);
      const failed = res.actions?.find((a) => !a.ok);
      if (!res.ok || failed)
        this.error = `“${action}” did not work: ${failed?.detail ?? 'the lab refused it.'}`;
    } catch (err) {
      this.error = `“${action}” did not work: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'cluster-panel': ClusterPanel;
  }
}
