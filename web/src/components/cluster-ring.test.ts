// @vitest-environment happy-dom
// The ring picture from a history (web/src/components/cluster-ring.ts, ring-paint.ts): what it
// says it shows, what is under the pointer, and a held request that a click selects and Drop drops.
import { afterEach, describe, expect, it } from 'vitest';
import { ringLayout } from '../history/ring-layout.ts';
import { sceneAt } from '../history/scene.ts';
import { held, sampleAt, state, timer } from '../history/test-events.ts';
import { LiveState } from '../live-state.ts';
import './cluster-ring.ts';
import type { ClusterRing } from './cluster-ring.ts';
import { heldLayout, hitTest } from './ring-paint.ts';

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
  return live;
}

async function ringOf(live: LiveState): Promise<ClusterRing> {
  const el = document.createElement('cluster-ring') as ClusterRing;
  el.live = live;
  document.body.append(el);
  el.draw();
  await el.updateComplete;
  el.draw();
  return el;
}

describe('the ring', () => {
  it('says what it shows: roles, terms, a candidate’s votes, timers, held requests, a paused picture', async () => {
    const live = liveWith(100_000);
    live.jumpTo(100_000);
    const el = await ringOf(live);
    const says = el.shadowRoot!.querySelector('canvas')!.getAttribute('aria-label')!;
    expect(says).toMatch(/^❚❚ paused · /);
    expect(says).toContain('node1 leader term 2');
    expect(says).toContain('node3 candidate term 3 (1 of 3 votes)');
    expect(says).toContain('node2 follower term 2, timer 500 ms');
    expect(says).toContain('2 requests held');
    const buttons = [...el.shadowRoot!.querySelectorAll('li.held button')];
    expect(buttons.map((b) => b.getAttribute('data-id'))).toEqual(['3.1', '3.2']);
  });

  it('knows what is under the pointer: a held request, then a server', () => {
    const live = liveWith(100_000);
    const scene = sceneAt(live.store, 100_000);
    const ring = ringLayout(['1', '2', '3'], 400, 320);
    const [first] = heldLayout(scene.held, ring);
    expect(hitTest(scene, ring, true, first!.p.x + 2, first!.p.y - 2)).toEqual({
      kind: 'held',
      id: first!.h.id,
      from: '3',
    });
    const two = ring.at.get('2')!;
    expect(hitTest(scene, ring, true, two.x + 5, two.y)).toEqual({ kind: 'server', id: '2' });
    expect(hitTest(scene, ring, true, 1, 1)).toBeNull();
  });

  it('a selected held request shows its details; Drop and Deliver send the words a cluster cell would', async () => {
    const live = liveWith(Date.now());
    const el = await ringOf(live);
    (el.shadowRoot!.querySelector('li.held button[data-id="3.2"]') as HTMLButtonElement).click();
    await el.updateComplete;
    const details = el.shadowRoot!.querySelector('ring-details')!;
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
    live.clock.pause();
    el.draw();
    await el.updateComplete;
    details.requestUpdate();
    await details.updateComplete;
    expect(button('Drop').disabled).toBe(true);
  });
});
