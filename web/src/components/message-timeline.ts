// The message timeline, a Lamport diagram: a lane per node, time to the right, each message a
// line from its sender's lane to its receiver's (lost ones end at the receiver's lane with ✕),
// requests held in an outbox as a dotted stretch, heartbeats and retry storms summed up per pair
// (click the label to expand). Zoom down to a 1 s window, drag to pan, shift-drag to pin a
// range; hover for details; click a message to jump the picture to it. Drawn on a canvas, once
// per animation frame and only when something changed.
import { css, html, LitElement } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { HistoryStore } from '../history/history-store.ts';
import type { MessageRecord } from '../history/message-record.ts';
import type { LiveState } from '../live-state.ts';
import {
  laneLayout,
  layoutTimeline,
  type Run,
  reasonText,
  type Segment,
  segmentAt,
  type TimelineLayout,
} from '../timeline-layout.ts';
import { type CanvasPalette, readCanvasPalette } from './canvas-palette.ts';
import { FrameLoop } from './frame-loop.ts';
import { controlStyles } from './shared-styles.ts';
import { drawTimeline, runBandY } from './timeline-canvas.ts';

const MIN_SPAN_MS = 1000;
const MAX_SPAN_MS = 60_000;
const GUTTER = 52;
const HEIGHT = 170;

@customElement('message-timeline')
export class MessageTimeline extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      .bar {
        display: flex;
        gap: 0.35rem;
        align-items: center;
        flex-wrap: wrap;
        font-size: 0.8rem;
        margin-bottom: 0.25rem;
      }
      .bar button {
        padding: 0.1rem 0.45rem;
        font-size: 0.8rem;
      }
      canvas {
        width: 100%;
        height: ${HEIGHT}px;
        display: block;
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
        cursor: crosshair;
      }
      .tip {
        position: absolute;
        pointer-events: none;
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
        padding: 0.2rem 0.4rem;
        font: 0.75rem var(--mono);
        white-space: pre;
        z-index: 5;
        box-shadow: 0 2px 6px rgb(0 0 0 / 20%);
      }
      .legend {
        display: flex;
        gap: 0.8rem;
        flex-wrap: wrap;
        font-size: 0.75rem;
        color: var(--muted);
        margin-top: 0.2rem;
      }
      .pinned {
        color: var(--warn);
        font-weight: 700;
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @state() private spanMs = 10_000;
  /** A pinned range [t0, t1]: the window stays there while the cluster runs on. */
  @state() private pinned: { t0: number; t1: number } | null = null;
  @state() private tip: { x: number; y: number; text: string } | null = null;
  @query('canvas') private canvas!: HTMLCanvasElement;

  private expanded = new Set<string>();
  private layout: TimelineLayout = { segments: [], held: [], runs: [] };
  private window = { t0: 0, t1: 0 };
  private drawnKey = '';
  private drag: { x: number; t0: number; t1: number; select: boolean } | null = null;
  private selectTo: number | null = null;
  private palette: CanvasPalette | null = null;

  constructor() {
    super();
    // Live, the window scrolls a pixel every ~25 ms: 15 repaints a second are plenty.
    new FrameLoop(
      this,
      () => this.draw(),
      () => (this.live?.clock.mode === 'live' && !this.pinned ? 66 : 0),
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('raft-lab-theme', this.onTheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('raft-lab-theme', this.onTheme);
  }

  override render() {
    const span = this.pinned ? this.pinned.t1 - this.pinned.t0 : this.spanMs;
    return html`<div class="bar">
        <button @click=${() => this.zoom(0.5)} ?disabled=${span <= MIN_SPAN_MS} aria-label="Zoom in">+</button>
        <button @click=${() => this.zoom(2)} ?disabled=${span >= MAX_SPAN_MS} aria-label="Zoom out">–</button>
        <span>${(span / 1000).toFixed(span < 2000 ? 1 : 0)} s</span>
        ${
          this.pinned
            ? html`<span class="pinned">pinned</span>
                <button @click=${() => (this.pinned = null)}>Follow</button>`
            : html`<button @click=${this.pin} title="Keep this time range while the cluster runs on (or shift-drag over a range)">Pin</button>`
        }
        <label
          ><input
            type="checkbox"
            .checked=${this.live.view.heartbeats === 'each'}
            @change=${(e: Event) =>
              this.live.applyView({
                kind: (e.target as HTMLInputElement).checked ? 'show' : 'hide',
                part: 'heartbeats',
              })}
          />
          every heartbeat</label
        >
      </div>
      <canvas
        role="img"
        aria-label="Message timeline"
        @pointermove=${this.onMove}
        @pointerdown=${this.onDown}
        @pointerup=${this.onUp}
        @pointerleave=${() => {
          this.tip = null;
          this.drag = null;
        }}
        @wheel=${this.onWheel}
      ></canvas>
      ${this.tip ? html`<div class="tip" style="left:${this.tip.x}px;top:${this.tip.y}px">${this.tip.text}</div>` : ''}
      <div class="legend" aria-hidden="true">
        <span>— request · ┄ reply · ⋯ held in outbox</span>
        <span>RV request_vote · AE append_entries · ♥ heartbeats</span>
        <span>✕ lost (at its receiver) · ★ leader · ◆ candidate</span>
      </div>`;
  }

  private store(): HistoryStore {
    return this.live.shown;
  }

  /** The window [t0, t1] drawn now. */
  private currentWindow(): { t0: number; t1: number } {
    if (this.pinned) return this.pinned;
    const t = this.live.clock.now();
    // The moment shown sits near the right edge, with a little of its future when scrubbing.
    const right = this.live.clock.mode === 'live' ? t : t + this.spanMs * 0.15;
    return { t0: right - this.spanMs, t1: right };
  }

  /** Lays out and paints one frame if anything changed; public so a benchmark can time it. */
  draw(): void {
    const canvas = this.canvas;
    if (!canvas || !this.live || !canvas.isConnected || document.hidden) return;
    const w = canvas.clientWidth;
    if (w === 0) return;
    const store = this.store();
    const win = this.currentWindow();
    const v = this.live.view;
    const key = `${store.version}|${Math.round(win.t0)}|${Math.round(win.t1)}|${w}|${v.heartbeats}|${v.highlight.node}|${v.highlight.message}|${v.focusEvent}|${this.expanded.size}|${this.selectTo}`;
    if (key === this.drawnKey) return;
    this.drawnKey = key;
    this.window = win;
    const ids = store.nodes.map((n) => n.id);
    const lanes = laneLayout(ids, HEIGHT);
    const plotW = w - GUTTER;
    const records = store.messagesBetween(win.t0 - 15_000, win.t1);
    this.layout = layoutTimeline(records, {
      ...win,
      width: plotW,
      laneY: lanes,
      heartbeats: v.heartbeats,
      expanded: this.expanded,
      now: this.live.clock.mode === 'replay' ? win.t1 : this.live.now(),
    });
    this.palette ??= readCanvasPalette(this);
    const focus = v.focusEvent ? store.messageByEventId(v.focusEvent) : undefined;
    drawTimeline(canvas, {
      layout: this.layout,
      lanes,
      nodes: store.nodes,
      gutter: GUTTER,
      height: HEIGHT,
      window: win,
      changes: ids.map((id) => ({ id, changes: store.node(id).changes })),
      cursor: this.live.clock.mode === 'live' ? null : this.live.clock.now(),
      highlightNode: v.highlight.node,
      highlightMessage: v.highlight.message,
      focus: focus ?? null,
      selecting: this.drag?.select && this.selectTo !== null ? [this.drag.x, this.selectTo] : null,
      palette: this.palette,
    });
    const rv = this.layout.segments.filter((s) => s.rpc === 'request_vote' && s.kind === 'request').length;
    canvas.setAttribute(
      'aria-label',
      `Message timeline, ${((win.t1 - win.t0) / 1000).toFixed(1)} s: ${rv} vote requests, ${this.layout.segments.length} messages drawn, ${this.layout.runs.length} summed-up runs`,
    );
  }

  private onTheme = () => {
    this.palette = null;
    this.drawnKey = '';
  };

  private zoom(factor: number): void {
    const win = this.currentWindow();
    const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, (win.t1 - win.t0) * factor));
    if (this.pinned) {
      const mid = (win.t0 + win.t1) / 2;
      this.pinned = { t0: mid - span / 2, t1: mid + span / 2 };
    } else this.spanMs = span;
  }

  private pin = () => {
    this.pinned = { ...this.currentWindow() };
  };

  private timeAt(x: number): number {
    const plotW = this.canvas.clientWidth - GUTTER;
    return this.window.t0 + ((x - GUTTER) / plotW) * (this.window.t1 - this.window.t0);
  }

  private point(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private onWheel = (e: WheelEvent) => {
    e.preventDefault();
    this.zoom(e.deltaY > 0 ? 1.25 : 0.8);
  };

  private onDown = (e: PointerEvent) => {
    const { x } = this.point(e);
    this.drag = { x, ...this.window, select: e.shiftKey };
    this.selectTo = null;
  };

  private onMove = (e: PointerEvent) => {
    const { x, y } = this.point(e);
    const d = this.drag;
    if (d && e.buttons === 1) {
      if (d.select) {
        this.selectTo = x;
      } else if (Math.abs(x - d.x) > 3) {
        // Pan: the window moves with the pointer and stays where it is put.
        const dt = ((d.x - x) / (this.canvas.clientWidth - GUTTER)) * (d.t1 - d.t0);
        this.pinned = { t0: d.t0 + dt, t1: d.t1 + dt };
      }
      return;
    }
    const s = segmentAt(this.layout.segments, x - GUTTER, y);
    const run = s ? null : this.runAt(x - GUTTER, y);
    this.tip = s
      ? { x: Math.min(x + 12, this.canvas.clientWidth - 230), y: y + 12, text: describe(s, this.window.t1) }
      : run
        ? {
            x: Math.min(x + 12, this.canvas.clientWidth - 260),
            y: y + 12,
            text: `${run.label}\nclick to ${run.expanded ? 'sum up again' : 'draw each one'}`,
          }
        : null;
  };

  private onUp = (e: PointerEvent) => {
    const d = this.drag;
    this.drag = null;
    const { x, y } = this.point(e);
    if (d?.select && this.selectTo !== null && Math.abs(this.selectTo - d.x) > 4) {
      const [a, b] = [this.timeAt(Math.min(d.x, x)), this.timeAt(Math.max(d.x, x))];
      const span = Math.max(MIN_SPAN_MS, b - a);
      this.pinned = { t0: (a + b) / 2 - span / 2, t1: (a + b) / 2 + span / 2 };
      this.selectTo = null;
      return;
    }
    this.selectTo = null;
    if (!d || Math.abs(x - d.x) > 3) return;
    const run = this.runAt(x - GUTTER, y);
    if (run) {
      if (this.expanded.has(run.key)) this.expanded.delete(run.key);
      else this.expanded.add(run.key);
      this.drawnKey = '';
      return;
    }
    const s = segmentAt(this.layout.segments, x - GUTTER, y);
    if (s) {
      this.jumpToMessage(s.record, s.kind);
      return;
    }
    if (x > GUTTER) this.live.jumpTo(this.timeAt(x));
  };

  private jumpToMessage(m: MessageRecord, kind: 'request' | 'response'): void {
    const at = (kind === 'request' ? (m.sentAt ?? m.heldAt ?? m.start) : (m.replySentAt ?? m.start)) + 1;
    this.live.jumpTo(at, m.eventIds[0] ?? null);
    this.live.applyView({ kind: 'highlight', node: null, message: m.id });
  }

  private runAt(x: number, y: number): Run | null {
    return (
      this.layout.runs.find((r) => {
        const ly = runBandY(r);
        return (
          x >= Math.min(r.x1, r.x2) - 4 && x <= Math.max(r.x1, r.x2, r.x1 + 150) && Math.abs(y - ly) <= 9
        );
      }) ?? null
    );
  }
}

/** The hover text of a message: what, between whom, when, how long it took, how it ended. */
function describe(s: Segment, ref: number): string {
  const m = s.record;
  const rel = (t: number | null) => (t === null ? '—' : `${((t - ref) / 1000).toFixed(3)} s`);
  const what = m.heartbeat ? 'heartbeat (append_entries, 0 entries)' : m.rpc;
  const lines = [
    `${what} ${s.kind} ${m.id}`,
    s.kind === 'request'
      ? `node${m.from} → node${m.to}, term ${m.term}`
      : `node${m.to} → node${m.from}, term ${m.term}`,
  ];
  if (s.kind === 'request' && m.entries > 0) lines.push(`${m.entries} entries`);
  if (m.heldAt !== null) lines.push(`held ${rel(m.heldAt)}`);
  const sent = s.kind === 'request' ? m.sentAt : m.replySentAt;
  const got = s.kind === 'request' ? m.recvAt : m.replyRecvAt;
  lines.push(`sent ${rel(sent)}${got !== null && sent !== null ? `, arrived after ${got - sent} ms` : ''}`);
  if (s.kind === 'response' && m.result !== null)
    lines.push(`${m.rpc === 'request_vote' ? 'vote_granted' : 'success'}: ${m.result}`);
  if (s.lost)
    lines.push(`LOST: ${reasonText(s.lost)}${m.lostDetail ? ` — ${m.lostDetail.slice(0, 80)}` : ''}`);
  return lines.join('\n');
}

declare global {
  interface HTMLElementTagNameMap {
    'message-timeline': MessageTimeline;
  }
}
