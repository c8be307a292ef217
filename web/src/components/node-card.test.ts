// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeView } from '../../../server/contract/cluster-view.ts';
import { statusOf } from '../../../tests/support/node-status.ts';
import './node-card.ts';
import { roleOf } from './node-card.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

const leader: NodeView = {
  id: '3',
  name: 'node3',
  url: 'http://127.0.0.1:5003',
  up: true,
  paused: false,
  partitionedFrom: ['1'],
  status: statusOf({
    node_id: '3',
    state: 'leader',
    term: 4,
    voted_for: '3',
    leader_id: '3',
    leader_url: null,
    last_applied: 0,
    kv: {},
    peers: [],
    commit_index: 2,
    log: [],
  }),
  error: null,
};

describe('node card', () => {
  it('says the role in words, LEADER included, and a stopped or frozen node as such', () => {
    expect(roleOf(leader)).toBe('leader');
    expect(roleOf({ ...leader, up: false })).toBe('down');
    expect(roleOf({ ...leader, paused: true })).toBe('paused');
  });

  it('shows term, vote, commit and the partition, and its Kill button sends "kill node3"', async () => {
    const el = document.createElement('node-card');
    el.node = leader;
    el.to = 4;
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('.role')!.textContent).toContain('LEADER');
    const facts = root.querySelector('.facts')!.textContent!.replace(/\s+/g, ' ');
    expect(facts).toContain('term 4 · vote node3 · commit 2');
    expect(root.querySelector('.cut')!.textContent).toContain('cut off from node1');
    const actions: string[] = [];
    document.body.addEventListener('node-action', (e) => actions.push((e as CustomEvent).detail.action));
    (root.querySelector('button[aria-label="Kill node3"]') as HTMLButtonElement).click();
    expect(actions).toEqual(['kill node3']);
  });

  it('offers Restart for a stopped node and Resume for a paused one', async () => {
    const el = document.createElement('node-card');
    el.node = { ...leader, up: false, status: null };
    document.body.append(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button[aria-label="Restart node3"]')).not.toBeNull();
    el.node = { ...leader, paused: true };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button[aria-label="Resume node3"]')).not.toBeNull();
  });
});
