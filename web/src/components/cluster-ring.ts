// The cluster as RaftScope draws it, for the real cluster: servers on a ring, each with its role,
// its term (colour and number), its vote and its election timer as a shrinking arc; messages as
// shapes travelling along the links; requests held in an outbox queued at their sender; lost
// messages marked where they died; cut links dashed. Drawn each animation frame from the
// history at the clock's moment (live, paused or replayed). Click a held request to deliver or
// drop it; click a server or a message for its details.
import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { alongLink, heldShown, heldSlot, labelAt, type Ring, ringLayout } from '../history/ring-layout.ts';
import type { HeldScene, Scene } from '../history/scene.ts';
import type { LiveState } from '../live-state.ts';
import { reasonText } from '../timeline-layout.ts';
import { FrameLoop } from './frame-loop.ts';
import { lostMark, messageShape, serverShape } from './ring-glyphs.ts';
import { controlStyles } from './shared-styles.ts';
import './ring-details.ts';

/** What the learner clicked: a server, a held request, or a message in flight. */
export type RingSelection =
  | { kind: 'server'; id: string }
  | { kind: 'held'; id: string; from: string }
  | { kind: 'flying'; key: string };

@customElement('cluster-ring')
export class ClusterRing extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      svg {
        display: block;
        width: 100%;
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 6px;
        user-select: none;
      }
      text {
        font: 11px var(--font);
        fill: var(--text);
        text-anchor: middle;
        dominant-baseline: middle;
      }
      text.term {
        font: 700 17px var(--mono);
        fill: var(--term-text);
      }
      text.words {
        dominant-baseline: auto;
      }
      text.words.start {
        text-anchor: start;
      }
      text.words.end {
        text-anchor: end;
      }
      .name {
        font-weight: 700;
      }
      .role {
        font-size: 10px;
        letter-spacing: 0.04em;
      }
      .role.leader {
        fill: var(--leader);
        font-weight: 700;
      }
      .role.candidate {
        fill: var(--candidate);
        font-weight: 700;
      }
      .role.down {
        fill: var(--down);
      }
      .vote,
      text.small,
      text.count,
      text.link-label {
        font-size: 9.5px;
        fill: var(--muted);
      }
      text.count {
        fill: var(--bad);
        font-weight: 700;
        text-anchor: start;
      }
      .server,
      .held,
      .flying {
        cursor: pointer;
      }
      .held .msg {
        stroke-dasharray: 2 1.5;
      }
      /* Marks of lost messages are drawn over the queues but never take their clicks. */
      .lost,
      text {
        pointer-events: none;
      }
      .selected .msg,
      .highlighted .msg {
        filter: drop-shadow(0 0 3px var(--focus));
      }
      circle.halo,
      circle.msg-halo {
        fill: none;
        stroke: var(--focus);
        stroke-width: 3;
        animation: pulse 1.2s ease-in-out infinite;
      }
      @keyframes pulse {
        50% {
          opacity: 0.25;
        }
      }
      line.link {
        stroke: var(--border);
        stroke-width: 1;
      }
      line.link.cut {
        stroke: var(--bad);
        stroke-dasharray: 5 4;
        stroke-width: 1.5;
      }
      .paused-banner {
        font: 700 12px var(--font);
        fill: var(--warn);
        text-anchor: start;
      }
      @media (prefers-reduced-motion: reduce) {
        circle.halo,
        circle.msg-halo {
          animation: none;
        }
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @state() private selection: RingSelection | null = null;
  private scene: Scene | null = null;
  /** When the last few hundred frames were drawn (the web budgets read the picture's frame rate). */
  readonly frameTimes: number[] = [];
  private ring: Ring | null = null;
  private width = 440;
  private resize = new ResizeObserver((entries) => {
    const w = Math.round(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && w !== this.width) {
      this.width = w;
      this.ring = null;
    }
  });

  constructor() {
    super();
    new FrameLoop(this, () => this.draw());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  /** Computes the scene at the clock's moment and redraws; public so a benchmark can time it. */
  draw(): void {
    if (!this.live || document.hidden) return;
    this.scene = this.live.scene();
    this.frameTimes.push(performance.now());
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, 300);
    this.requestUpdate();
  }

  private layout(): Ring {
    const ids = this.live.shown.nodes.map((n) => n.id);
    const height = Math.round(Math.min(400, Math.max(280, this.width * 0.8)));
    if (!this.ring || this.ring.at.size !== ids.length || this.ring.height !== height) {
      this.ring = ringLayout(ids, this.width, height);
    }
    return this.ring;
  }

  override render() {
    const scene = this.scene;
    if (!scene || scene.servers.length === 0) return html`<p class="muted">Waiting for the cluster…</p>`;
    const ring = this.layout();
    const at = (id: string) => ring.at.get(id)!;
    const view = this.live.view;
    const quiet = view.heartbeats === 'summary';
    const cut = new Set(
      scene.servers.flatMap((s) => (s.view?.partitionedFrom ?? []).map((p) => [s.id, p].sort().join('|'))),
    );
    const ids = scene.servers.map((s) => s.id);
    const links = ids.flatMap((a, i) => ids.slice(i + 1).map((b) => [a, b] as const));
    const clock = this.live.clock;
    return html`<svg
        viewBox="0 0 ${ring.width} ${ring.height}"
        height=${ring.height}
        role="img"
        aria-label=${summary(scene)}
        @click=${() => (this.selection = null)}
      >
        ${links.map(([a, b]) => {
          const isCut = cut.has([a, b].sort().join('|'));
          return svg`<line class="link ${isCut ? 'cut' : ''}" x1=${at(a).x} y1=${at(a).y} x2=${at(b).x} y2=${at(b).y}></line>`;
        })}
        ${scene.servers.map(
          (s) =>
            svg`<g @click=${(e: Event) => this.select(e, { kind: 'server', id: s.id })}>${serverShape(
              s,
              at(s.id),
              ring.serverR,
              ids.filter((p) => p !== s.id).map((p) => ({ id: p, at: at(p) })),
              view.highlight.node === s.id,
              labelAt(ring, at(s.id)),
            )}</g>`,
        )}
        ${this.heldQueues(scene.held, ring)}
        ${repeat(
          scene.flying.filter((f) => !(quiet && f.heartbeat && f.kind === 'response')),
          (f) => f.key,
          (f) => {
            const p = alongLink(at(f.from), at(f.to), f.progress, ring.serverR);
            const sel = this.selection?.kind === 'flying' && this.selection.key === f.key;
            return svg`<g class="flying ${sel ? 'selected' : ''} ${view.highlight.message === f.id ? 'highlighted' : ''}"
              @click=${(e: Event) => this.select(e, { kind: 'flying', key: f.key })}>
              ${messageShape({ ...f, quiet: quiet && f.heartbeat }, p)}</g>`;
          },
        )}
        ${scene.lost.map((l) =>
          lostMark(
            alongLink(at(l.from), at(l.to), l.progress, ring.serverR),
            l.count,
            l.freshness,
            `${l.rpc} node${l.from}→node${l.to} lost: ${reasonText(l.reason)}`,
          ),
        )}
        ${
          clock.mode !== 'live'
            ? svg`<text class="paused-banner" x="8" y="14">${clock.mode === 'replay' ? (clock.playing ? '▶ replay' : '❚❚ replay') : '❚❚ paused'} · ${timeOfDay(scene.t)}</text>`
            : nothing
        }
      </svg>
      ${
        this.selection
          ? html`<ring-details
              .live=${this.live}
              .scene=${scene}
              .selection=${this.selection}
              @close=${() => (this.selection = null)}
            ></ring-details>`
          : nothing
      }`;
  }

  /** Each outbox's requests in a queue at its sender, per receiver; the rest counted. */
  private heldQueues(held: HeldScene[], ring: Ring) {
    const byLink = new Map<string, HeldScene[]>();
    for (const h of held) byLink.set(`${h.from}|${h.to}`, [...(byLink.get(`${h.from}|${h.to}`) ?? []), h]);
    const hi = this.live.view.highlight.message;
    return [...byLink.values()].map((queue) => {
      const a = ring.at.get(queue[0]!.from);
      const b = ring.at.get(queue[0]!.to);
      if (!a || !b) return nothing;
      const shown = heldShown(a, b, ring.serverR);
      const more = queue.length - shown;
      const last = heldSlot(a, b, Math.min(shown, queue.length), ring.serverR);
      return svg`${queue.slice(0, shown).map((h, i) => {
        const p = heldSlot(a, b, i, ring.serverR);
        const sel = this.selection?.kind === 'held' && this.selection.id === h.id;
        return svg`<g class="held ${sel ? 'selected' : ''} ${hi === h.id ? 'highlighted' : ''}" data-id=${h.id}
          tabindex="0" role="button"
          aria-label="held ${h.heartbeat ? 'heartbeat' : h.rpc} ${h.id} from node${h.from} to node${h.to}, term ${h.term}"
          @click=${(e: Event) => this.select(e, { kind: 'held', id: h.id, from: h.from })}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' || e.key === ' ') this.select(e, { kind: 'held', id: h.id, from: h.from });
          }}>
          ${hi === h.id ? svg`<circle class="msg-halo" cx=${p.x} cy=${p.y} r="10"></circle>` : nothing}
          ${messageShape({ ...h, kind: 'request', result: null }, p)}</g>`;
      })}${more > 0 ? svg`<text class="small" x=${last.x} y=${last.y}>+${more}</text>` : nothing}`;
    });
  }

  private select(e: Event, s: RingSelection): void {
    e.stopPropagation();
    this.selection = s;
  }
}

function timeOfDay(t: number): string {
  const d = new Date(t);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** What the picture shows, in words, for screen readers. */
function summary(s: Scene): string {
  const servers = s.servers
    .map((x) => {
      const votes =
        x.role === 'candidate'
          ? ` (${1 + Object.values(x.votes).filter((v) => v).length} of ${s.servers.length} votes)`
          : '';
      return `${x.name} ${x.role} term ${x.term}${votes}${x.timer ? `, timer ${Math.round(x.timer.remainingMs)} ms` : ''}`;
    })
    .join('; ');
  const held = s.held.length ? `; ${s.held.length} requests held` : '';
  return `Cluster: ${servers}; ${s.flying.length} messages in flight${held}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'cluster-ring': ClusterRing;
  }
}
