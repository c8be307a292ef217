// The instructor's dashboard: one row per learner — their cluster (state, leader, nodes up),
// the lesson and cell they are at, a grid of checks passed per lesson, time since their last
// request — refreshed every 2 s. Per row: reset their cluster, show it on the projector, read
// their notebook (read-only), share it for follow-along. Progress exports as CSV.
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { ClassroomView, MemberNotebookView, MemberRowView } from '../../../server/contract/classroom.ts';
import { LightDomElement } from '../components/light-dom-element.ts';
import { smallButtonLook } from '../components/shared-styles.ts';
import { classroomApi } from './classroom-client.ts';

const REFRESH_MS = 2000;

const styles = css`
  classroom-dashboard {
    display: block;
    font-family: var(--font);
    color: var(--text);
    background: var(--bg);
    min-height: 100vh;
    padding: 0 1.2rem 2rem;
  }
  classroom-dashboard header {
    display: flex;
    align-items: baseline;
    gap: 1.5rem;
    flex-wrap: wrap;
    padding: 0.8rem 0;
  }
  classroom-dashboard h1 {
    font-size: 1.3rem;
    margin: 0;
  }
  classroom-dashboard .code {
    font-family: var(--mono);
    font-size: 1.5rem;
    letter-spacing: 0.15em;
    background: var(--surface);
    border: 1px solid var(--border);
    padding: 0.1rem 0.6rem;
    border-radius: 6px;
  }
  classroom-dashboard .spacer {
    flex: 1;
  }
  classroom-dashboard table {
    border-collapse: collapse;
    width: 100%;
    background: var(--surface);
  }
  classroom-dashboard th,
  classroom-dashboard td {
    border: 1px solid var(--border);
    padding: 0.3rem 0.5rem;
    text-align: left;
    vertical-align: middle;
    font-size: 0.9rem;
  }
  classroom-dashboard th.lesson {
    writing-mode: vertical-rl;
    transform: rotate(180deg);
    font-weight: 500;
    max-height: 9rem;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  classroom-dashboard td.grid {
    text-align: center;
    font-family: var(--mono);
    min-width: 2.2rem;
  }
  classroom-dashboard td.done {
    background: color-mix(in srgb, var(--ok) 35%, transparent);
  }
  classroom-dashboard td.some {
    background: color-mix(in srgb, var(--warn) 22%, transparent);
  }
  classroom-dashboard .ok {
    color: var(--ok);
  }
  classroom-dashboard .bad {
    color: var(--bad);
  }
  classroom-dashboard .muted {
    color: var(--muted);
  }
  classroom-dashboard button,
  classroom-dashboard a.button {
    ${smallButtonLook}
    text-decoration: none;
  }
  classroom-dashboard button[aria-pressed='true'] {
    background: var(--accent);
    color: var(--accent-text);
  }
  classroom-dashboard .error {
    color: var(--bad);
  }
  classroom-dashboard section.notebook {
    margin-top: 1.2rem;
    background: var(--surface);
    border: 1px solid var(--border);
    padding: 0.6rem 1rem;
  }
  classroom-dashboard section.notebook pre {
    background: var(--code-bg);
    padding: 0.4rem;
    white-space: pre-wrap;
    margin: 0.2rem 0 0.8rem;
  }
`;

/** "12 s", "4 min", "2 h" since an epoch-ms time; "—" for never. */
export function since(at: number, now = Date.now()): string {
  if (!at) return '—';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

@customElement('classroom-dashboard')
export class ClassroomDashboard extends LightDomElement {
  static override documentStyles = styles;
  @state() private view: ClassroomView | null = null;
  @state() private error = '';
  @state() private notebook: MemberNotebookView | null = null;
  @state() private busy = new Set<string>();
  private timer: ReturnType<typeof setInterval> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
  }

  override render() {
    const v = this.view;
    if (!v) return html`<p>${this.error || 'Loading the class…'}</p>`;
    const learners = v.members.length - 1;
    return html`<header>
        <h1>Raft Lab class</h1>
        <span>Join code <span class="code">${v.joinCode}</span></span>
        <span>${learners} learner${learners === 1 ? '' : 's'} · clusters ${v.running}/${v.maxClusters} running
          (when full: ${v.policy}, idle stop after ${Math.round(v.idleMs / 60_000)} min)</span>
        <span class="spacer"></span>
        <a class="button" href="/classroom/projector" target="projector">Projector</a>
        <a class="button" href="/api/classroom/progress.csv">Export CSV</a>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <table>
        <thead>
          <tr>
            <th>Learner</th>
            <th>Cluster</th>
            <th>At</th>
            ${v.lessons.map((l) => html`<th class="lesson" title=${l.title}>${l.order}. ${l.title}</th>`)}
            <th>Last active</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${v.members.map((m) => this.row(m, v))}
        </tbody>
      </table>
      ${this.notebook ? this.renderNotebook(this.notebook) : nothing}`;
  }

  private row(m: MemberRowView, v: ClassroomView) {
    const h = m.progress.health;
    const cluster =
      m.cluster === 'queued'
        ? html`<span class="muted">queued (#${m.queuePosition})</span>`
        : m.cluster !== 'running'
          ? html`<span class="muted">${m.cluster}</span>`
          : h
            ? html`<span class=${h.leader ? 'ok' : 'bad'}>${h.leader ?? 'no leader'}</span> · ${h.nodesUp}/${h.nodes} up · t${h.term}`
            : html`<span class="muted">starting</span>`;
    const following = v.followAlong === m.id;
    return html`<tr>
      <td>${m.name}</td>
      <td>${cluster}</td>
      <td>${m.progress.lesson ? html`${m.progress.lesson}${m.progress.cell ? html` <span class="muted">· ${m.progress.cell}</span>` : nothing}` : html`<span class="muted">—</span>`}</td>
      ${v.lessons.map((l) => {
        const n = m.progress.passed[l.id]?.length ?? 0;
        const cls = n >= l.checks && l.checks > 0 ? 'grid done' : n > 0 ? 'grid some' : 'grid';
        return html`<td class=${cls} title="${m.name}: ${n} of ${l.checks} checks in ${l.title}">${n}/${l.checks}</td>`;
      })}
      <td>${since(m.progress.lastActivity)}</td>
      <td>
        <button ?disabled=${this.busy.has(m.id)} @click=${() => this.reset(m)}>Reset cluster</button>
        <a class="button" href="/classroom/projector?member=${encodeURIComponent(m.id)}" target="projector">Project</a>
        <button @click=${() => this.openNotebook(m)} ?disabled=${!m.progress.lesson && !v.lessons[0]}>Notebook</button>
        <button aria-pressed=${following ? 'true' : 'false'} @click=${() => this.toggleFollow(m, following)}
          title="Learners see this cluster at /classroom/follow">Follow along</button>
      </td>
    </tr>`;
  }

  private renderNotebook(n: MemberNotebookView) {
    return html`<section class="notebook" aria-label="Notebook of ${n.member.name} (read-only)">
      <h2>${n.member.name}: ${n.lesson.title} <small class="muted">(read-only)</small>
        <button @click=${() => {
          this.notebook = null;
        }}>Close</button></h2>
      ${n.lesson.blocks.map((b) => {
        if (b.kind !== 'cell') return nothing;
        const o = n.outcomes[b.cell.id];
        return html`<div>
          <strong>${b.cell.id}</strong> <span class="muted">${b.cell.type}${b.cell.edited ? ' · edited' : ''}${b.cell.scratch ? ' · added' : ''}</span>
          ${o ? html` · <span class=${o.ok ? 'ok' : 'bad'}>[${o.count}] ${o.ok ? 'passed' : `failed: ${o.note}`}</span>` : html` · <span class="muted">not run</span>`}
          <pre>${b.cell.source}</pre>
        </div>`;
      })}
    </section>`;
  }

  private async refresh(): Promise<void> {
    try {
      this.view = await classroomApi.view();
      this.error = '';
    } catch (e) {
      this.error = `Could not read the class: ${(e as Error).message}`;
    }
  }

  private async reset(m: MemberRowView): Promise<void> {
    if (!confirm(`Reset ${m.name}'s cluster? Every node's data is wiped and a fresh cluster starts.`)) return;
    this.busy = new Set([...this.busy, m.id]);
    try {
      const outcome = await classroomApi.action(m.id, 'reset');
      if (!outcome.ok)
        this.error = `Reset of ${m.name}'s cluster did not work: ${outcome.actions[0]?.detail}`;
    } catch (e) {
      this.error = `Reset of ${m.name}'s cluster did not work: ${(e as Error).message}`;
    } finally {
      this.busy = new Set([...this.busy].filter((id) => id !== m.id));
    }
  }

  private async openNotebook(m: MemberRowView): Promise<void> {
    const lesson = m.progress.lesson ?? this.view?.lessons[0]?.id;
    if (!lesson) return;
    try {
      this.notebook = await classroomApi.notebook(m.id, lesson);
    } catch (e) {
      this.error = `Could not open ${m.name}'s notebook: ${(e as Error).message}`;
    }
  }

  private async toggleFollow(m: MemberRowView, following: boolean): Promise<void> {
    try {
      await classroomApi.follow(following ? null : m.id);
      await this.refresh();
    } catch (e) {
      this.error = `Follow-along did not change: ${(e as Error).message}`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'classroom-dashboard': ClassroomDashboard;
  }
}
