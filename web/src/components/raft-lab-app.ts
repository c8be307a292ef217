// The page: header (status pill, theme), the safety banner, lessons on the left, the
// notebook in the middle, the live cluster on the right. Owns the connections to the lab.
// Rendered into the page (light DOM) because the notebook's Monaco editors live inside it.
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { NotebookLesson as Lesson, LessonSummary } from '../../../server/contract/lab-api.ts';
import { LabClient } from '../lab-client.ts';
import { LiveClient, liveUrl } from '../live-client.ts';
import { LiveState } from '../live-state.ts';
import { LightDomElement } from './light-dom-element.ts';
import { buttonLook } from './shared-styles.ts';
import './cluster-panel.ts';
import './keyboard-help.ts';
import './lab-status-pill.ts';
import './lesson-list.ts';
import './notebook-view.ts';
import './safety-warning.ts';
import './theme-toggle.ts';

const styles = css`
  raft-lab-app {
    display: grid;
    height: 100vh;
    grid-template-rows: auto auto minmax(0, 1fr);
    grid-template-columns: 13rem minmax(0, 1fr) minmax(24rem, 34%);
    grid-template-areas:
      'header header header'
      'warning warning warning'
      'lessons notebook cluster';
  }
  raft-lab-app.lessons-hidden {
    grid-template-columns: 0 minmax(0, 1fr) minmax(24rem, 34%);
  }
  raft-lab-app > header {
    grid-area: header;
    display: flex;
    align-items: center;
    gap: 0.8rem;
    padding: 0.4rem 0.8rem;
    background: var(--surface);
    border-bottom: 1px solid var(--border);
  }
  raft-lab-app > header h1 {
    font-size: 1.05rem;
    margin: 0;
  }
  raft-lab-app > header .spacer {
    flex: 1;
  }
  raft-lab-app > header button {
    ${buttonLook}
  }
  raft-lab-app safety-warning {
    grid-area: warning;
  }
  raft-lab-app > .lessons {
    grid-area: lessons;
    overflow: auto;
    border-right: 1px solid var(--border);
    background: var(--surface);
  }
  raft-lab-app.lessons-hidden > .lessons {
    display: none;
  }
  raft-lab-app > main {
    grid-area: notebook;
    overflow: auto;
    padding: 0 1.2rem;
  }
  raft-lab-app > .cluster {
    grid-area: cluster;
    overflow: auto;
    border-left: 1px solid var(--border);
    background: var(--surface-2);
  }
  raft-lab-app .skip {
    position: absolute;
    left: -999px;
  }
  raft-lab-app .skip:focus {
    left: 0.5rem;
    top: 0.5rem;
    z-index: 10;
    background: var(--surface);
    padding: 0.3rem;
  }
  raft-lab-app > .cluster.stale cluster-panel {
    opacity: 0.45;
    filter: grayscale(1);
  }
  raft-lab-app .lab-gone {
    margin: 0.5rem;
    padding: 0.4rem 0.6rem;
    border: 2px solid var(--bad);
    border-radius: 6px;
    background: var(--surface);
    color: var(--text);
    font-size: 0.85rem;
  }
  raft-lab-app .load-error {
    color: var(--bad);
    margin: 2rem 0;
  }
  @media (max-width: 1000px) {
    raft-lab-app,
    raft-lab-app.lessons-hidden {
      height: auto;
      grid-template-columns: minmax(0, 1fr);
      grid-template-areas: 'header' 'warning' 'lessons' 'notebook' 'cluster';
    }
    raft-lab-app > main,
    raft-lab-app > .cluster,
    raft-lab-app > .lessons {
      overflow: visible;
    }
  }
`;

@customElement('raft-lab-app')
export class RaftLabApp extends LightDomElement {
  @state() private lessons: LessonSummary[] = [];
  @state() private lesson: Lesson | null = null;
  @state() private loadError = '';
  @state() private lessonsHidden = false;

  readonly client = new LabClient();
  readonly live = new LiveState();
  private liveClient = new LiveClient({
    url: liveUrl(),
    onMessage: (m) => {
      this.live.apply(m);
      // A new connection: fetch the lab's recording of the last minute, for time travel.
      if (m.type === 'hello') void this.live.backfill((q) => this.client.trace(q)).catch(() => {});
    },
    onStatus: (s) => this.live.setStatus(s),
  });
  private unsubscribe: (() => void) | null = null;

  static override documentStyles = styles;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.live.on(['status', 'snapshot', 'warning', 'run'], () => this.requestUpdate());
    window.addEventListener('hashchange', this.route);
    // A check's or an action's output links to a moment of the recorded run.
    this.addEventListener('jump-to-moment', this.jump);
    this.liveClient.start();
    // A handle for people debugging in the console and for bench/web-budgets.ts.
    (window as unknown as { raftLab: unknown }).raftLab = { live: this.live };
    void this.loadLessons();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    window.removeEventListener('hashchange', this.route);
    this.removeEventListener('jump-to-moment', this.jump);
    this.liveClient.stop();
  }

  override render() {
    return html`<a class="skip" href="#notebook">Skip to the notebook</a>
      <header>
        <button
          @click=${() => {
            this.lessonsHidden = !this.lessonsHidden;
          }}
          aria-expanded=${this.lessonsHidden ? 'false' : 'true'}
          aria-controls="lessons"
        >
          ☰ Lessons
        </button>
        <h1>Raft Lab</h1>
        <span class="spacer"></span>
        <lab-status-pill
          .status=${this.live.status}
          .snapshot=${this.live.snapshot}
          .running=${this.live.running.size}
        ></lab-status-pill>
        <keyboard-help></keyboard-help>
        <theme-toggle></theme-toggle>
      </header>
      <safety-warning .warnings=${this.live.warnings} @dismiss=${() => this.live.dismissWarnings()}></safety-warning>
      <aside class="lessons" id="lessons">
        <lesson-list .lessons=${this.lessons} .current=${this.lesson?.id ?? ''}></lesson-list>
      </aside>
      <main id="notebook" tabindex="-1">
        ${this.loadError ? html`<p class="load-error" role="alert">${this.loadError}</p>` : nothing}
        ${
          this.lesson
            ? html`<notebook-view
              .lesson=${this.lesson}
              .client=${this.client}
              .live=${this.live}
              .onProgress=${this.refreshProgress}
            ></notebook-view>`
            : nothing
        }
      </main>
      <aside class="cluster ${this.live.status === 'open' ? '' : 'stale'}" aria-label="Live cluster">
        ${
          this.live.status === 'open'
            ? nothing
            : html`<p class="lab-gone" role="alert">
              The lab is not answering, so this picture is from before it stopped. Is <code>npm start</code> still
              running? The page reconnects by itself.
            </p>`
        }
        <cluster-panel .live=${this.live} .client=${this.client}></cluster-panel>
      </aside>`;
  }

  protected override updated(): void {
    this.classList.toggle('lessons-hidden', this.lessonsHidden);
  }

  private async loadLessons(): Promise<void> {
    try {
      this.lessons = await this.client.lessons();
      if (!this.lessons.length) {
        this.loadError =
          'The lab has no lessons. Put lesson files in lessons/ and restart it (see docs/lesson-format.md).';
        return;
      }
      await this.route();
    } catch (err) {
      this.loadError = `Could not load the lessons: ${(err as Error).message}`;
    }
  }

  private route = async () => {
    const m = /^#\/lesson\/(.+)$/.exec(location.hash);
    const id = m ? decodeURIComponent(m[1]) : this.lessons[0]?.id;
    if (!id || id === this.lesson?.id) return;
    try {
      this.lesson = await this.client.lesson(id);
      // The picture shows what this lesson says, from the defaults (a lesson before may have changed it).
      this.live.lessonView(this.lesson.view ?? []);
      this.loadError = '';
      document.title = `${this.lesson.title} · Raft Lab`;
    } catch (err) {
      this.loadError = `Could not open lesson “${id}”: ${(err as Error).message}`;
    }
  };

  private jump = (e: Event) => {
    const d = (e as CustomEvent<{ at: number; eventId: string | null }>).detail;
    if (this.live.replay) this.live.closeReplay();
    this.live.jumpTo(d.at, d.eventId);
  };

  /** The lesson list's progress comes from the saved outputs: asked again after a check ran. */
  private refreshProgress = async () => {
    try {
      this.lessons = await this.client.lessons();
    } catch {
      // The list keeps its last counts; the lab's unreachability shows in the header.
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'raft-lab-app': RaftLabApp;
  }
}
