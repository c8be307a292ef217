// Time travel over the recorded run: pause the picture, scrub back and forth (the ring, the log
// strips and the timeline follow), step from one message or state change to the next, go live
// again; export the run as a trace file, or open one as a read-only replay (played at a chosen
// speed). The recording is the lab's (GET /api/trace) plus what this page received.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { TRACE_FORMAT, type Trace } from '../../../server/contract/trace.ts';
import type { HistoryStore } from '../history/history-store.ts';
import type { LiveState } from '../live-state.ts';
import { FrameLoop } from './frame-loop.ts';
import { controlStyles } from './shared-styles.ts';

const RATES = [0.1, 0.25, 0.5, 1, 2];

@customElement('time-travel')
export class TimeTravel extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        gap: 0.3rem;
        align-items: center;
        flex-wrap: wrap;
        font-size: 0.8rem;
      }
      .bar button {
        padding: 0.1rem 0.45rem;
        font-size: 0.8rem;
      }
      input[type='range'] {
        flex: 1;
        min-width: 8rem;
      }
      output {
        font: 0.78rem var(--mono);
        min-width: 7.5rem;
      }
      .replay {
        font-size: 0.8rem;
        color: var(--warn);
        font-weight: 700;
        margin-bottom: 0.2rem;
      }
      .error {
        color: var(--bad);
        font-size: 0.8rem;
      }
      select {
        font: inherit;
        color: var(--text);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 4px;
      }
    `,
  ];

  @property({ attribute: false }) live!: LiveState;
  @query('input[type=range]') private slider!: HTMLInputElement;
  @query('output') private readout!: HTMLOutputElement;
  private error = '';
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    // Live, the readout and the slider's end move on: four times a second is enough.
    new FrameLoop(
      this,
      () => this.follow(),
      () => (this.live?.clock.mode === 'live' ? 250 : 0),
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.live.on(['clock'], () => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override render() {
    const clock = this.live.clock;
    const replay = this.live.replay;
    const live = clock.mode === 'live';
    return html`${
      replay ? html`<div class="replay" role="status">Replay of ${replay.name} — read-only</div>` : nothing
    }
      <div class="bar" role="group" aria-label="Time travel">
        ${
          replay
            ? html`<button @click=${this.togglePlay} aria-pressed=${clock.playing ? 'true' : 'false'}>
                  ${clock.playing ? '❚❚ Pause' : '▶ Play'}
                </button>
                <select aria-label="Replay speed" @change=${this.setRate}>
                  ${RATES.map((r) => html`<option value=${r} ?selected=${r === clock.rate}>${r}×</option>`)}
                </select>`
            : live
              ? html`<button @click=${this.pause} title="Stop the picture here; the cluster keeps running">❚❚ Pause</button>`
              : html`<button class="primary" @click=${this.goLive}>● Live</button>`
        }
        <button @click=${() => this.step(-1)} aria-label="Previous message or change" title="Previous message or change">‹</button>
        <input type="range" aria-label="Moment shown" min="0" max="1" step="1" @input=${this.scrub} />
        <button @click=${() => this.step(1)} aria-label="Next message or change" title="Next message or change">›</button>
        <output aria-live="off"></output>
        ${
          replay
            ? html`<button @click=${this.exportReplay}>Save trace</button>
                <button @click=${() => this.live.closeReplay()}>Back to live</button>`
            : html`<a href="/api/trace?download=1" download><button tabindex="-1">Export trace</button></a>`
        }
        <label><button @click=${this.chooseFile}>Open trace…</button
          ><input type="file" accept=".json,application/json" hidden @change=${this.openFile} /></label>
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}`;
  }

  private store(): HistoryStore {
    return this.live.shown;
  }

  /** Keeps the slider and the readout on the moment shown (every frame; cheap). */
  private follow(): void {
    if (!this.slider || document.hidden) return;
    const span = this.store().span();
    const t = this.live.clock.now();
    const end = this.live.replay ? (span?.to ?? t) : Math.max(t, span?.to ?? t);
    const from = span?.from ?? t;
    this.slider.min = String(Math.floor(from));
    this.slider.max = String(Math.ceil(end));
    if (document.activeElement !== this || this.shadowRoot?.activeElement !== this.slider) {
      this.slider.value = String(Math.round(t));
    }
    const ago = (end - t) / 1000;
    const d = new Date(t);
    this.readout.value = `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}${ago > 0.2 ? ` −${ago.toFixed(1)} s` : ''}`;
  }

  private pause = () => {
    this.live.clock.pause();
    this.live.clockChanged();
  };

  private goLive = () => {
    this.live.clock.goLive();
    this.live.view.focusEvent = null;
    this.live.clockChanged();
  };

  private togglePlay = () => {
    const c = this.live.clock;
    if (c.playing) c.pause();
    else c.play();
    this.live.clockChanged();
  };

  private setRate = (e: Event) => {
    const c = this.live.clock;
    const playing = c.playing;
    c.pause();
    c.rate = Number((e.target as HTMLSelectElement).value);
    if (playing) c.play();
  };

  private scrub = () => {
    this.live.jumpTo(Number(this.slider.value));
  };

  /** To the next (or previous) moment something other than a heartbeat happened. */
  private step(dir: 1 | -1): void {
    const store = this.store();
    const t = this.live.clock.now();
    const times: number[] = [];
    for (const m of store.messagesBetween(t - 30_000, t + 30_000)) {
      if (m.heartbeat) continue;
      for (const x of [m.heldAt, m.sentAt, m.recvAt, m.replySentAt, m.replyRecvAt, m.lostAt])
        if (x !== null) times.push(x);
    }
    for (const n of store.nodes)
      for (const c of store.node(n.id).changes) if (Math.abs(c.at - t) < 30_000) times.push(c.at);
    const next =
      dir > 0 ? Math.min(...times.filter((x) => x > t + 0.5)) : Math.max(...times.filter((x) => x < t - 0.5));
    if (Number.isFinite(next)) this.live.jumpTo(next);
  }

  private chooseFile = (e: Event) => {
    ((e.target as HTMLElement).nextElementSibling as HTMLInputElement).click();
  };

  private openFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.error = '';
    try {
      const trace = JSON.parse(await file.text()) as Trace;
      if (trace?.format !== TRACE_FORMAT || trace.version !== 1 || !Array.isArray(trace.events)) {
        throw new Error('it is not a Raft Lab trace (export one with “Export trace”)');
      }
      this.live.openReplay(trace, file.name);
    } catch (err) {
      this.error = `Could not open ${file.name}: ${(err as Error).message}`;
    }
    this.requestUpdate();
  };

  private exportReplay = () => {
    const r = this.live.replay;
    if (!r) return;
    const blob = new Blob([JSON.stringify(r.trace)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = r.name;
    a.click();
    URL.revokeObjectURL(a.href);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'time-travel': TimeTravel;
  }
}
