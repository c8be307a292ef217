// The projector: one cluster, full screen, in type readable from the back of a room — the
// nodes with their logs, the fault buttons and slow motion, and the message timeline. The
// instructor picks whose cluster (?member=l3; their own by default). Learners reach it as
// /classroom/follow: the cluster the instructor shares, live and read-only, beside their own.
import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LightDomElement } from '../components/light-dom-element.ts';
import { LiveClient } from '../live-client.ts';
import { LiveState } from '../live-state.ts';
import '../components/cluster-panel.ts';
import { MemberClusterClient } from './classroom-client.ts';

const styles = css`
  classroom-projector {
    display: block;
    min-height: 100vh;
    background: var(--bg);
    color: var(--text);
    font-family: var(--font);
  }
  classroom-projector header {
    display: flex;
    align-items: baseline;
    gap: 1.5rem;
    padding: 0.6rem 1.2rem;
    background: var(--surface);
    border-bottom: 2px solid var(--border);
    font-size: 1.8rem;
  }
  classroom-projector header strong {
    font-size: 2.2rem;
  }
  classroom-projector header .status {
    margin-left: auto;
    color: var(--muted);
  }
  classroom-projector .stage {
    /* Everything the panel draws, 1.6 times larger: readable from the back of a room. */
    zoom: 1.6;
    max-width: 62rem;
    margin: 0 auto;
  }
  classroom-projector.follow .stage {
    zoom: 1;
  }
`;

@customElement('classroom-projector')
export class ClassroomProjector extends LightDomElement {
  static override documentStyles = styles;
  @state() private status = 'connecting';
  readonly live = new LiveState();
  private readonly params = new URLSearchParams(location.search);
  private readonly follow = location.pathname.endsWith('/follow');
  private readonly member = this.params.get('member') ?? 'instructor';
  private readonly client = new MemberClusterClient(this.follow ? null : this.member);
  private liveClient: LiveClient | null = null;
  private unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.classList.toggle('follow', this.follow);
    const query = this.follow ? '?follow=1' : `?member=${encodeURIComponent(this.member)}`;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live${query}`;
    this.liveClient = new LiveClient({
      url,
      onMessage: (m) => this.live.apply(m),
      onStatus: (s) => {
        this.status = s;
        this.live.setStatus(s);
      },
    });
    this.unsubscribe = this.live.on(['snapshot', 'status'], () => this.requestUpdate());
    this.liveClient.start();
    (window as unknown as { raftLab: unknown }).raftLab = { live: this.live };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.liveClient?.stop();
  }

  override render() {
    const s = this.live.snapshot;
    const leader = s?.nodes.find((n) => n.id === s.leaderId);
    const whose = this.follow
      ? 'The class cluster'
      : this.member === 'instructor'
        ? 'Instructor’s cluster'
        : `Cluster of ${this.member}`;
    return html`<header>
        <strong>${whose}</strong>
        <span>${leader ? `leader ${leader.name} · term ${s?.term}` : s ? `no leader · term ${s.term}` : ''}</span>
        <span class="status">${this.status === 'open' ? 'live' : this.status}</span>
      </header>
      <div class="stage">
        <cluster-panel .live=${this.live} .client=${this.client}></cluster-panel>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'classroom-projector': ClassroomProjector;
  }
}
