// @vitest-environment happy-dom
// The ring picture from a history (web/src/components/cluster-ring.ts): servers with roles and
// terms, a candidate's held request_votes queued at it, and a click on one that drops it.
import { afterEach, describe, expect, it } from 'vitest';
import { held, sampleAt, state, timer } from '../history/test-events.ts';
import { LiveState } from '../live-state.ts';
import './cluster-ring.ts';
import type { ClusterRing } from './cluster-ring.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function liveWith(now: number): LiveState {
  const live = new LiveState();
  live.store.addSample(sampleAt(now - 5000, 3, '1', 2));
  live.store.nodes = live.store.samples[0]!.nodes.map(({ id, name, url }) => ({ id, name, url }));
  live.store.addEvent(state('3', now - 1000, 'candidate', 3));
  live.store.addEvent(timer('2', now - 500, 1000));
  for (const to of ['1', '2'])
    live.store.addEvent(held({ rpc: 'request_vote', id: `3.${to}`, from: '3', to, term: 3 }, now - 900));
  live.jumpTo(now);
  return live;
}

describe('the ring', () => {
  it('draws each server with its role and term, and a candidate’s held requests at it', async () => {
    const el = document.createElement('cluster-ring') as ClusterRing;
    el.live = liveWith(100_000);
    document.body.append(el);
    el.draw();
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelectorAll('g.server')).toHaveLength(3);
    const says = root.querySelector('svg')!.getAttribute('aria-label')!;
    expect(says).toContain('node1 leader term 2');
    expect(says).toContain('node3 candidate term 3 (1 of 3 votes)');
    expect(says).toMatch(/node2 follower term 2, timer 500 ms/);
    expect([...root.querySelectorAll('g.held')].map((g) => g.getAttribute('data-id'))).toEqual([
      '3.1',
      '3.2',
    ]);
    expect(root.querySelector('text.paused-banner')!.textContent).toContain('paused');
  });

  it('a click on a held request shows it; Drop sends `drop <id>`, as a cluster cell would', async () => {
    const el = document.createElement('cluster-ring') as ClusterRing;
    el.live = liveWith(Date.now());
    el.live.clock.goLive();
    document.body.append(el);
    el.draw();
    await el.updateComplete;
    (el.shadowRoot!.querySelector('g.held[data-id="3.2"]') as SVGGElement).dispatchEvent(
      new Event('click', { bubbles: true }),
    );
    el.draw();
    await el.updateComplete;
    const details = el.shadowRoot!.querySelector('ring-details') as HTMLElement & {
      updateComplete: Promise<unknown>;
    };
    await details.updateComplete;
    expect(details.shadowRoot!.querySelector('h3')!.textContent).toContain('held request_vote 3.2');
    const actions: string[] = [];
    document.body.addEventListener('node-action', (e) => actions.push((e as CustomEvent).detail.action));
    const button = (label: string) =>
      [...details.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.trim() === label)!;
    button('Drop').click();
    button('Deliver').click();
    expect(actions).toEqual(['drop 3.2', 'deliver 3.2']);
    // A past moment (the picture paused) cannot be acted on.
    el.live.clock.pause();
    el.draw();
    await el.updateComplete;
    await details.updateComplete;
    expect(button('Drop').disabled).toBe(true);
  });
});
