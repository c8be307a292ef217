// The live cluster beside the notebook: time travel, the ring picture (servers, timers, messages
// in flight, held requests), a card per node (role, term, vote, commit, log strip, fault
// buttons), the network controls, partition/heal, the message timeline and the action history.
// Everything shows the moment the clock is at (live, paused or a replay), rebuilt from the
// recorded history; buttons go through the lab's actions API, as a `cluster` cell would.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { NodeView } from '../../../server/contract/cluster-view.ts';
import type { Scene } from '../history/scene.ts';
import type { LabClient } from '../lab-client.ts';
import type { LiveState } from '../live-state.ts';
import { FrameLoop } from './frame-loop.ts';
import { controlStyles } from './shared-styles.ts';
import './action-history.ts';
import './cluster-ring.ts';
import './message-timeline.ts';
import './network-controls.ts';
import './node-card.ts';
import './partition-control.ts';
import './time-travel.ts';

/** How many log slots each strip shows: the newest, aligned by index across the nodes. */
const SLOTS = 14;

export function logWindow(nodes: readonly NodeView[], slots = SLOTS): { from: number; to: number } {
  const last = Math.max(0, ...nodes.map((n) => n.status?.log.at(-1)?.index ?? 0));
  const to = Math.max(last, slots);
  return { from: to - slots + 1, to };
}

/** What the cards show, as text: the panel re-renders only when it changes. */
function cardsKey(s: Scene): string {
  return s.servers
    .map((x) => {
      const v = x.view;
      const f = v?.status?.faults;
      return [
        x.role,
        x.term,
        x.votedFor,
        x.commitIndex,
        v?.status?.log.at(-1)?.index,
        v?.up,
        v?.paused,
        v?.partitionedFrom?.join(),
        f?.held,
        f?.held_count,
        f?.timer_paused,
        v?.error,
      ].join(':');
    })
    .join('|');
}

@customElement('cluster-panel')
export class ClusterPanel extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.45rem;
        padding: 0.5rem;
      }
      h2 {
        font-size: 0.95rem;
        margin: 0.3rem 0 0.1rem;
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 0.4rem;
      }
      h2 small {
        font-weight: 400;
        color: var(--muted);
        font-size: 0.78rem;
      }
      .views {
        display: flex;
        gap: 0.25rem;
      }
      .views button {
        padding: 0.05rem 0.45rem;
        font-size: 0.75rem;
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
      details > summary {
        cursor: pointer;
        font-weight: 700;
        font-size: 0.85rem;
        margin-bottom: 0.3rem;
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @property({ attribute: false }) client!: LabClient;
  @state() private busy = false;
  @state() private error = '';
  private scene: Scene | null = null;
  private shownKey = '';
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    // Scrubbing and a playing replay move without events: look each frame whether the cards changed.
    new FrameLoop(this, () => {
      if (this.live.clock.mode !== 'live' || this.live.clock.playing) this.refresh();
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const off = [
      this.live.on(['history', 'view', 'clock'], () => this.requestUpdate()),
      this.live.on(['snapshot', 'events', 'clock'], () => this.refresh()),
    ];
    this.unsubscribe = () => {
      for (const f of off) f();
    };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  /** Rebuilds the moment's scene; re-renders the cards only when what they show changed. */
  private refresh(): void {
    this.scene = this.live.scene();
    const key = cardsKey(this.scene);
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.requestUpdate();
    }
  }

  override render() {
    const scene = this.scene ?? this.live.scene();
    const nodes = scene.servers.map((s) => s.view).filter((v): v is NodeView => v !== null);
    const win = logWindow(nodes);
    const leader = scene.servers.filter((s) => s.role === 'leader').sort((a, b) => b.term - a.term)[0];
    const term = Math.max(0, ...scene.servers.map((s) => s.term));
    const readOnly = this.live.replay !== null;
    const view = this.live.view;
    const faults = nodes.map((n) => n.status?.faults).filter((f) => f !== undefined);
    const toggle = (part: 'ring' | 'timeline') =>
      html`<button aria-pressed=${view[part] ? 'true' : 'false'} @click=${() => this.live.applyView({ kind: view[part] ? 'hide' : 'show', part })}>
        ${part === 'ring' ? 'Ring' : 'Timeline'}
      </button>`;
    return html`<h2 id="cluster-title">
        <span>Cluster <small>${leader ? `leader ${leader.name} · term ${leader.term}` : nodes.length ? `no leader · highest term ${term}` : ''}</small></span>
        <span class="views" role="group" aria-label="Show">${toggle('ring')}${toggle('timeline')}</span>
      </h2>
      <time-travel .live=${this.live}></time-travel>
      <div @node-action=${this.onAction}>
        ${view.ring ? html`<cluster-ring .live=${this.live}></cluster-ring>` : nothing}
      </div>
      <div class="nodes" role="list" aria-labelledby="cluster-title" @node-action=${this.onAction}>
        ${
          nodes.length
            ? nodes.map(
                (n) =>
                  html`<node-card role="listitem" .node=${n} .from=${win.from} .to=${win.to} .busy=${this.busy}
                    .readOnly=${readOnly}></node-card>`,
              )
            : html`<p class="empty">Waiting for the lab to report the cluster…</p>`
        }
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      ${
        readOnly
          ? nothing
          : html`<details open @node-action=${this.onAction}>
              <summary>Control the network</summary>
              <network-controls
                .nodes=${this.live.nodes}
                .busy=${this.busy}
                .held=${faults.some((f) => f.held)}
                .heldCount=${scene.held.length}
                .timersPaused=${faults.length > 0 && faults.every((f) => f.timer_paused)}
                .wiresSlow=${faults.some((f) => Object.keys(f.links).length >= nodes.length - 1 && nodes.length > 1)}
              ></network-controls>
              <partition-control .busy=${this.busy} .slow=${scene.speed}></partition-control>
            </details>`
      }
      ${
        view.timeline
          ? html`<h2>Messages</h2>
              <message-timeline .live=${this.live}></message-timeline>`
          : nothing
      }
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
