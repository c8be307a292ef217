// The cluster as RaftScope draws it, for the real cluster: servers on a ring, each with its role,
// its term (colour and number), its vote and its election timer as a shrinking arc; messages as
// shapes travelling along the links; requests held in an outbox queued at their sender; lost
// messages marked where they died; cut links dashed. Painted on a canvas each animation frame
// (ring-paint.ts) from the history at the clock's moment (live, paused or replayed). Click a held
// request to deliver or drop it; click a server or a message for its details. For keyboards and
// screen readers the same servers and held requests are buttons, and the picture is described.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { type Ring, ringLayout } from '../history/ring-layout.ts';
import { roleText, type Scene } from '../history/scene.ts';
import type { LiveState } from '../live-state.ts';
import { type CanvasPalette, readCanvasPalette } from './canvas-palette.ts';
import { FrameLoop } from './frame-loop.ts';
import {
  heldLayout,
  hitTest,
  lostWords,
  movingKey,
  paintMoving,
  paintStill,
  type RingHit,
  type RingPaint,
  stillKey,
} from './ring-paint.ts';
import { controlStyles } from './shared-styles.ts';
import './ring-details.ts';

/** What the learner clicked: a server, a held request, or a message in flight. */
export type RingSelection = RingHit;

@customElement('cluster-ring')
export class ClusterRing extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      canvas {
        display: block;
        width: 100%;
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 6px;
      }
      canvas.pointing {
        cursor: pointer;
      }
      .a11y button {
        font-size: 0.8rem;
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @state() private selection: RingSelection | null = null;
  @query('canvas') private canvas!: HTMLCanvasElement;
  private scene: Scene | null = null;
  /** When the last few hundred frames were drawn (the web budgets read the picture's frame rate). */
  readonly frameTimes: number[] = [];
  /** How many frames were painted (a frame that would look the same as the last is not). */
  paints = 0;
  private ring: Ring | null = null;
  private palette: CanvasPalette | null = null;
  /** The still part of the picture, painted when it changes and copied each frame. */
  private still: HTMLCanvasElement | null = null;
  private stillDrawn = '';
  private movingDrawn = '';
  private width = 440;
  /** What the buttons and the description show, as text: Lit re-renders only when it changes. */
  private shownKey = '';
  private describedAt = Number.NEGATIVE_INFINITY;
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
    window.addEventListener('raft-lab-theme', this.onTheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    window.removeEventListener('raft-lab-theme', this.onTheme);
  }

  /** Paints the scene at the clock's moment; public so a benchmark and tests can call it. */
  draw(): void {
    if (!this.live || document.hidden) return;
    const scene = this.live.scene();
    this.scene = scene;
    this.frameTimes.push(performance.now());
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, 300);
    const key = JSON.stringify([
      scene.servers.map((s) => [s.role, s.term]),
      scene.held.map((h) => h.id),
      this.selection,
      this.selection ? Math.floor(scene.t / 250) : 0,
    ]);
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.requestUpdate();
    }
    this.paint();
    // The description changes with every timer tick: a screen reader needs it a few times a second.
    const now = performance.now();
    if (this.canvas && now - this.describedAt > 250) {
      this.describedAt = now;
      this.canvas.setAttribute('aria-label', describe(scene, this.live));
    }
  }

  /** Where a held request or a server is drawn (canvas pixels from its top left), for tests. */
  pointOf(what: { held: string } | { node: string }): { x: number; y: number } | null {
    if (!this.scene) return null;
    const ring = this.layout();
    if ('node' in what) return ring.at.get(what.node) ?? null;
    return heldLayout(this.scene.held, ring).find((x) => x.h.id === what.held)?.p ?? null;
  }

  private layout(): Ring {
    const ids = this.live.shown.nodes.map((n) => n.id);
    const height = Math.round(Math.min(400, Math.max(280, this.width * 0.8)));
    if (!this.ring || this.ring.at.size !== ids.length || this.ring.height !== height) {
      this.ring = ringLayout(ids, this.width, height);
    }
    return this.ring;
  }

  private paint(): void {
    const canvas = this.canvas;
    const scene = this.scene;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !scene || !ctx) return;
    const ring = this.layout();
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(ring.width * dpr) || canvas.height !== Math.round(ring.height * dpr)) {
      canvas.width = Math.round(ring.width * dpr);
      canvas.height = Math.round(ring.height * dpr);
      canvas.style.height = `${ring.height}px`;
    }
    this.palette ??= readCanvasPalette(this);
    const v = this.live.view;
    const sel = this.selection;
    const p: RingPaint = {
      scene,
      ring,
      quiet: v.heartbeats === 'summary',
      highlightNode: v.highlight.node,
      highlightMessage: v.highlight.message,
      selected: sel === null ? null : sel.kind === 'server' ? sel.id : sel.kind === 'held' ? sel.id : sel.key,
      banner: banner(this.live, scene.t),
      palette: this.palette,
      now: performance.now(),
    };
    const still = stillKey(p) + dpr;
    const moving = still + movingKey(p);
    if (moving === this.movingDrawn) return; // the frame would look the same
    this.movingDrawn = moving;
    if (still !== this.stillDrawn || !this.still) {
      this.still ??= document.createElement('canvas');
      this.still.width = canvas.width;
      this.still.height = canvas.height;
      const sctx = this.still.getContext('2d');
      if (!sctx) return;
      this.stillDrawn = still;
      sctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      paintStill(sctx, p);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(this.still, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paintMoving(ctx, p);
    this.paints++;
  }

  override render() {
    const scene = this.scene;
    if (!scene || scene.servers.length === 0) {
      return html`<p class="muted">Waiting for the cluster…</p>
        <canvas hidden></canvas>`;
    }
    return html`<canvas
        role="img"
        @click=${this.onClick}
        @pointermove=${this.onMove}
      ></canvas>
      <div class="a11y visually-hidden">
        <ul aria-label="Servers">
          ${scene.servers.map(
            (
              s,
            ) => html`<li><button data-node=${s.id} @click=${() => (this.selection = { kind: 'server', id: s.id })}>
              ${s.name}, ${s.role}, term ${s.term}
            </button></li>`,
          )}
        </ul>
        <ul aria-label="Held requests">
          ${scene.held.map(
            (h) => html`<li class="held"><button data-id=${h.id}
              @click=${() => (this.selection = { kind: 'held', id: h.id, from: h.from })}>
              held ${h.heartbeat ? 'heartbeat' : h.rpc} ${h.id} from node${h.from} to node${h.to}, term ${h.term}
            </button></li>`,
          )}
        </ul>
      </div>
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

  private hit(e: MouseEvent): RingHit | null {
    if (!this.scene) return null;
    const r = this.canvas.getBoundingClientRect();
    return hitTest(
      this.scene,
      this.layout(),
      this.live.view.heartbeats === 'summary',
      e.clientX - r.left,
      e.clientY - r.top,
    );
  }

  private onClick = (e: MouseEvent) => {
    this.selection = this.hit(e);
    this.shownKey = '';
  };

  private onMove = (e: PointerEvent) => {
    this.canvas.classList.toggle('pointing', this.hit(e) !== null);
  };

  private onTheme = () => {
    this.palette = null;
    this.stillDrawn = '';
  };
}

function timeOfDay(t: number): string {
  const d = new Date(t);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function banner(live: LiveState, t: number): string | null {
  const c = live.clock;
  if (c.mode === 'live') return null;
  return `${c.mode === 'replay' ? (c.playing ? '▶ replay' : '❚❚ replay') : '❚❚ paused'} · ${timeOfDay(t)}`;
}

/** What the picture shows, in words, for screen readers (and the tests). */
function describe(s: Scene, live: LiveState): string {
  const servers = s.servers
    .map((x) => {
      const votes =
        x.role === 'candidate'
          ? ` (${1 + Object.values(x.votes).filter((v) => v).length} of ${s.servers.length} votes)`
          : '';
      const timer = x.timer
        ? `, timer ${Math.round(x.timer.remainingMs)} ms${x.timer.state === 'paused' ? ' (stopped)' : ''}`
        : '';
      return `${x.name} ${roleText(x.role)} term ${x.term}${votes}${timer}`;
    })
    .join('; ');
  const held = s.held.length ? `; ${s.held.length} requests held` : '';
  const lost = s.lost.length ? `; ${s.lost.map(lostWords).join('; ')}` : '';
  const when = banner(live, s.t);
  return `${when ? `${when}. ` : ''}Cluster: ${servers}; ${s.flying.length} messages in flight${held}${lost}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'cluster-ring': ClusterRing;
  }
}
