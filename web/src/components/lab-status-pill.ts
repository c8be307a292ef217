// Like Jupyter's kernel indicator: is the lab connected, and what is the cluster doing
// (a leader in which term, no leader, a cell running). Said in words, not only by colour.
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ClusterSnapshot } from '../../../server/contract/cluster-view.ts';
import type { LiveStatus } from '../live-client.ts';

export function describeLab(status: LiveStatus): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  switch (status) {
    case 'open':
      return { text: 'Lab connected', tone: 'ok' };
    case 'connecting':
      return { text: 'Connecting to the lab…', tone: 'warn' };
    case 'reconnecting':
      return { text: 'Lab unreachable: reconnecting… (is npm start still running?)', tone: 'bad' };
    default:
      return { text: 'Lab disconnected: reload the page', tone: 'bad' };
  }
}

/**
 * The cluster in one line, true to what the nodes say: the leader with its own term (a lone
 * candidate may be terms ahead of it), a cluster that does not answer as down (with the term its
 * nodes keep on disk), and nothing at all while the lab itself is unreachable.
 */
export function describeCluster(
  s: ClusterSnapshot | null,
  lab: LiveStatus = 'open',
): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (lab !== 'open') return { text: 'Cluster: unknown while the lab is unreachable', tone: 'bad' };
  if (!s) return { text: 'Cluster: waiting for news', tone: 'warn' };
  const up = s.nodes.filter((n) => n.up && !n.paused && n.status).length;
  const count = `${up}/${s.nodes.length} up`;
  if (up === 0) {
    const term = Math.max(s.term, s.lastKnownTerm ?? 0);
    return {
      text: `Cluster down: no node answers${term > 0 ? ` (last term ${term}, kept on their disks)` : ''} · ${count}`,
      tone: 'bad',
    };
  }
  const leader = s.nodes.find((n) => n.id === s.leaderId && n.status);
  if (leader?.status) {
    const term = leader.status.term;
    const ahead = s.nodes.filter((n) => (n.status?.term ?? 0) > term);
    const note = ahead.length
      ? ` · ${ahead.map((n) => `${n.name} in term ${n.status!.term} (${n.status!.state})`).join(', ')}`
      : '';
    return {
      text: `Leader ${leader.name}, term ${term}${note} · ${count}`,
      tone: ahead.length ? 'warn' : 'ok',
    };
  }
  return {
    text: `No leader (highest term ${s.term}) · ${count}`,
    tone: up > s.nodes.length / 2 ? 'warn' : 'bad',
  };
}

@customElement('lab-status-pill')
export class LabStatusPill extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      gap: 0.4rem;
      font: 0.82rem/1.2 var(--font);
    }
    span {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      border: 1px solid var(--border);
      border-radius: 999px;
      padding: 0.2rem 0.6rem;
      background: var(--surface);
      color: var(--text);
      white-space: nowrap;
    }
    i {
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 50%;
      display: inline-block;
    }
    .ok i {
      background: var(--ok);
    }
    .warn i {
      background: var(--warn);
    }
    .bad i {
      background: var(--bad);
    }
    .busy i {
      background: var(--accent);
      animation: pulse 1s infinite alternate;
    }
    @keyframes pulse {
      from {
        opacity: 1;
      }
      to {
        opacity: 0.3;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .busy i {
        animation: none;
      }
    }
  `;

  @property() status: LiveStatus = 'connecting';
  @property({ attribute: false }) snapshot: ClusterSnapshot | null = null;
  /** How many cells are running now (the "kernel busy" state). */
  @property({ type: Number }) running = 0;

  override render() {
    const lab = describeLab(this.status);
    const cluster = describeCluster(this.snapshot, this.status);
    return html`<span class=${lab.tone} role="status" data-testid="lab-status"><i></i>${lab.text}</span>
      <span class=${this.running && this.status === 'open' ? 'busy' : cluster.tone} role="status" data-testid="cluster-status"
        ><i></i>${this.running && this.status === 'open' ? `Running… · ${cluster.text}` : cluster.text}</span
      >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-status-pill': LabStatusPill;
  }
}
