// RPCs between the nodes over the last seconds as a space-time diagram: a lane per node,
// time flowing right, a line per message from sender (at send time) to receiver (at receive
// time). request_vote and append_entries differ in colour, dash and label; heartbeats can be
// hidden; Pause freezes the picture to study an election. Drawn on a canvas because a busy
// cluster sends hundreds of messages a second.
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { NodeEvent, StateEvent } from '../../../server/contract/node-events.ts';
import type { LiveState } from '../live-state.ts';
import {
  laneLayout,
  layoutTimeline,
  MessagePairer,
  type Segment,
  type TimelineMessage,
} from '../timeline-layout.ts';
import { controlStyles } from './shared-styles.ts';

const WINDOWS_S = [2, 5, 10];
const FRAME_MS = 100;
const LABEL_GUTTER = 52;

interface Frame {
  now: number;
  messages: TimelineMessage[];
  changes: NodeEvent[];
}

@customElement('message-timeline')
export class MessageTimeline extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        flex-wrap: wrap;
        font-size: 0.8rem;
        margin-bottom: 0.25rem;
      }
      canvas {
        width: 100%;
        height: 150px;
        display: block;
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
      }
      .legend {
        display: flex;
        gap: 0.8rem;
        flex-wrap: wrap;
        font-size: 0.75rem;
        color: var(--muted);
        margin-top: 0.2rem;
      }
      .swatch {
        display: inline-block;
        width: 1.2rem;
        height: 0;
        vertical-align: middle;
        margin-right: 0.2rem;
        border-top: 3px solid;
      }
      .rv {
        border-color: var(--rv);
        border-top-style: dashed;
      }
      .ae {
        border-color: var(--ae);
      }
      .hb {
        border-color: var(--hb);
        border-top-width: 1px;
      }
      select {
        font: inherit;
        color: var(--text);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
      }
      .paused {
        color: var(--warn);
        font-weight: 700;
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @state() private paused = false;
  /** The span drawn; 2 s spreads an election out enough to read each vote. */
  @state() private windowMs = 10_000;
  /** Heartbeats are most of the traffic (every follower, many times a second) and bury elections. */
  @state() private hideHeartbeats = true;
  @query('canvas') private canvas!: HTMLCanvasElement;

  private frozen: Frame | null = null;
  private pairer = new MessagePairer();
  private timer: ReturnType<typeof setInterval> | null = null;
  private colors: Record<string, string> = {};
  private summary = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.draw(), FRAME_MS);
    window.addEventListener('raft-lab-theme', this.onTheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    window.removeEventListener('raft-lab-theme', this.onTheme);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('paused') || changed.has('hideHeartbeats') || changed.has('windowMs')) this.draw();
  }

  override render() {
    return html`<div class="bar">
        <button aria-pressed=${this.paused ? 'true' : 'false'} @click=${this.togglePause}>
          ${this.paused ? '▶ Resume timeline' : '❚❚ Pause timeline'}
        </button>
        <label
          ><input
            type="checkbox"
            .checked=${!this.hideHeartbeats}
            @change=${(e: Event) => {
              this.hideHeartbeats = !(e.target as HTMLInputElement).checked;
            }}
          />
          Show heartbeats</label
        >
        <label
          >last
          <select
            @change=${(e: Event) => {
              this.windowMs = Number((e.target as HTMLSelectElement).value) * 1000;
            }}
          >
            ${WINDOWS_S.map((sec) => html`<option value=${sec} ?selected=${sec * 1000 === this.windowMs}>${sec} s</option>`)}
          </select></label
        >
        ${this.paused ? html`<span class="paused">Paused — the cluster keeps running</span>` : ''}
      </div>
      <canvas role="img" aria-label="Message timeline of the last 10 seconds"></canvas>
      <div class="legend" aria-hidden="true">
        <span><span class="swatch rv"></span>RV request_vote</span>
        <span><span class="swatch ae"></span>AE append_entries</span>
        <span><span class="swatch hb"></span>HB heartbeat</span>
        <span>★ became leader · ◆ candidate · ✕ lost</span>
      </div>`;
  }

  private togglePause = () => {
    this.paused = !this.paused;
    const frame = this.capture();
    this.frozen = this.paused ? { ...frame, changes: [...frame.changes] } : null;
  };

  private onTheme = () => {
    this.colors = {};
    this.draw();
  };

  private capture(): Frame {
    const now = this.live.now();
    // Keep 10 s beyond the widest window, so a paused picture still has its whole span.
    const messages = this.pairer.update(this.live.rpcs, now - WINDOWS_S.at(-1)! * 1000 - 10_000);
    return { now, messages, changes: this.live.changes };
  }

  private color(name: string): string {
    this.colors[name] ??= getComputedStyle(this).getPropertyValue(`--${name}`).trim() || '#888';
    return this.colors[name];
  }

  /** Draws one frame; public so a benchmark can time it. */
  draw(): void {
    const canvas = this.canvas;
    if (!canvas || !this.live || !canvas.isConnected || document.hidden) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (w === 0 || h === 0) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const frame = this.frozen ?? this.capture();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px ui-monospace, monospace';
    ctx.textBaseline = 'middle';

    const ids = this.live.nodes.map((n) => n.id);
    const lanes = laneLayout(ids, h);
    const plotW = w - LABEL_GUTTER;
    for (const n of this.live.nodes) {
      const y = lanes.get(n.id)!;
      ctx.fillStyle = this.color('text');
      ctx.fillText(n.name, 4, y);
      ctx.strokeStyle = this.color('border');
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(LABEL_GUTTER, y);
      ctx.lineTo(w, y);
      ctx.stroke();
    }

    const segments = layoutTimeline(frame.messages, {
      now: frame.now,
      windowMs: this.windowMs,
      width: plotW,
      laneY: lanes,
      hideHeartbeats: this.hideHeartbeats,
    });
    ctx.save();
    ctx.translate(LABEL_GUTTER, 0);
    ctx.beginPath();
    ctx.rect(0, 0, plotW, h);
    ctx.clip();
    // Heartbeats first, so elections and replication are drawn on top of them.
    segments.sort((a, b) => Number(b.heartbeat) - Number(a.heartbeat));
    const lastLabelX = new Map<number, number>();
    for (const s of segments) this.drawSegment(ctx, s, lastLabelX);
    this.drawChanges(ctx, frame, lanes, plotW);
    ctx.restore();
    if (segments.length === 0) {
      ctx.fillStyle = this.color('muted');
      ctx.fillText(
        this.hideHeartbeats
          ? `Only heartbeats in the last ${this.windowMs / 1000} s.`
          : `No messages in the last ${this.windowMs / 1000} s.`,
        LABEL_GUTTER + 8,
        8,
      );
    }
    this.updateSummary(segments, frame);
  }

  private drawSegment(ctx: CanvasRenderingContext2D, s: Segment, lastLabelX: Map<number, number>): void {
    const color = s.heartbeat ? this.color('hb') : this.color(s.rpc === 'request_vote' ? 'rv' : 'ae');
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = s.heartbeat ? 1 : 2;
    ctx.setLineDash(s.rpc === 'request_vote' ? [5, 3] : s.kind === 'response' ? [2, 2] : []);
    ctx.beginPath();
    ctx.moveTo(s.x1, s.y1);
    ctx.lineTo(s.x2, s.y2);
    ctx.stroke();
    ctx.setLineDash([]);
    if (s.lost) {
      ctx.fillText('✕', s.x2 - 4, s.y2);
    } else if (!s.heartbeat) {
      // Arrowhead at the receiver, so direction reads without colour.
      const a = Math.atan2(s.y2 - s.y1, s.x2 - s.x1);
      ctx.beginPath();
      ctx.moveTo(s.x2, s.y2);
      ctx.lineTo(s.x2 - 7 * Math.cos(a - 0.4), s.y2 - 7 * Math.sin(a - 0.4));
      ctx.lineTo(s.x2 - 7 * Math.cos(a + 0.4), s.y2 - 7 * Math.sin(a + 0.4));
      ctx.fill();
    }
    if (!s.heartbeat && s.kind === 'request') {
      const prev = lastLabelX.get(s.y1) ?? -Infinity;
      if (s.x1 - prev > 46) {
        ctx.fillText(s.label, s.x1 + 3, clamp(s.y1 + (s.y2 > s.y1 ? -7 : 7), 7, ctx.canvas.clientHeight - 5));
        lastLabelX.set(s.y1, s.x1);
      }
    }
  }

  private drawChanges(
    ctx: CanvasRenderingContext2D,
    frame: Frame,
    lanes: Map<string, number>,
    plotW: number,
  ): void {
    const start = frame.now - this.windowMs;
    for (const ev of frame.changes) {
      if (ev.type !== 'state' || ev.at < start || ev.at > frame.now) continue;
      if (ev.state !== 'leader' && ev.state !== 'candidate') continue;
      const y = lanes.get(String(ev.node_id));
      if (y === undefined) continue;
      // Kept inside the plot so an election that just happened is not cut off at the right edge.
      const x = Math.min(((ev.at - start) / this.windowMs) * plotW, plotW - 34);
      ctx.fillStyle = this.color(ev.state);
      ctx.font = 'bold 13px ui-monospace, monospace';
      ctx.fillText(
        ev.state === 'leader' ? `★t${ev.term ?? ''}` : `◆t${ev.term ?? ''}`,
        x - 5,
        Math.max(8, y - 9),
      );
      ctx.font = '11px ui-monospace, monospace';
    }
  }

  private updateSummary(segments: Segment[], frame: Frame): void {
    const rv = segments.filter((s) => s.rpc === 'request_vote' && s.kind === 'request').length;
    const ae = segments.filter((s) => s.rpc === 'append_entries' && s.kind === 'request').length;
    const lastLeader = [...frame.changes]
      .reverse()
      .find((e): e is StateEvent => e.type === 'state' && e.state === 'leader');
    const text =
      `Message timeline, last ${this.windowMs / 1000} seconds${this.paused ? ' (paused)' : ''}: ${rv} vote requests, ${ae} append_entries` +
      (lastLeader ? `; node${lastLeader.node_id} became leader in term ${lastLeader.term}` : '');
    if (text !== this.summary) {
      this.summary = text;
      this.canvas.setAttribute('aria-label', text);
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

declare global {
  interface HTMLElementTagNameMap {
    'message-timeline': MessageTimeline;
  }
}
