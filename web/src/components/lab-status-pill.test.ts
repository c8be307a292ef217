// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot, NodeView } from '../../../server/contract/cluster-view.ts';
import { statusOf } from '../../../tests/support/node-status.ts';
import './lab-status-pill.ts';
import { describeCluster, describeLab } from './lab-status-pill.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

const node = (id: string, over: Partial<NodeView> = {}): NodeView => ({
  id,
  name: `node${id}`,
  url: '',
  up: true,
  paused: false,
  partitionedFrom: [],
  status: statusOf({
    node_id: id,
    state: 'follower',
    term: 2,
    voted_for: null,
    leader_id: '1',
    leader_url: null,
    last_applied: 0,
    kv: {},
    peers: [],
    commit_index: 1,
    log: [],
  }),
  error: null,
  ...over,
});

describe('lab status pill', () => {
  it('names the leader and term, and how many nodes answer', () => {
    const s: ClusterSnapshot = {
      at: 0,
      leaderId: '1',
      term: 2,
      nodes: [node('1'), node('2'), node('3', { up: false, status: null })],
    };
    expect(describeCluster(s)).toEqual({ text: 'Leader node1, term 2 · 2/3 up', tone: 'ok' });
  });

  it('says when there is no leader, as a problem once a majority is gone', () => {
    const down = { up: false, status: null };
    const s: ClusterSnapshot = {
      at: 0,
      leaderId: null,
      term: 5,
      nodes: [node('1'), node('2', down), node('3', down)],
    };
    expect(describeCluster(s)).toEqual({ text: 'No leader (highest term 5) · 1/3 up', tone: 'bad' });
  });

  it("pairs the leader with its own term, not a lone candidate's higher one (issue 11)", () => {
    const s: ClusterSnapshot = {
      at: 0,
      leaderId: '1',
      term: 13,
      nodes: [
        node('1', { status: { ...node('1').status!, state: 'leader', term: 1 } }),
        node('2', { status: { ...node('2').status!, term: 1 } }),
        node('3', { status: { ...node('3').status!, state: 'candidate', term: 13 } }),
      ],
    };
    expect(describeCluster(s)).toEqual({
      text: 'Leader node1, term 1 · node3 in term 13 (candidate) · 3/3 up',
      tone: 'warn',
    });
  });

  it('says the cluster is down, with the term its nodes keep on disk, not "term 0"', () => {
    const down = { up: false, status: null, error: 'down' };
    const s: ClusterSnapshot = {
      at: 0,
      leaderId: null,
      term: 0,
      lastKnownTerm: 7,
      nodes: [node('1', down), node('2', down), node('3', down)],
    };
    expect(describeCluster(s)).toEqual({
      text: 'Cluster down: no node answers (last term 7, kept on their disks) · 0/3 up',
      tone: 'bad',
    });
  });

  it('shows no cluster picture while the lab is unreachable (a stopped lab is not a healthy cluster)', () => {
    const s: ClusterSnapshot = { at: 0, leaderId: '1', term: 2, nodes: [node('1'), node('2')] };
    expect(describeCluster(s, 'reconnecting')).toEqual({
      text: 'Cluster: unknown while the lab is unreachable',
      tone: 'bad',
    });
  });

  it('tells the learner what to do when the lab is gone', () => {
    expect(describeLab('reconnecting').text).toContain('npm start');
    expect(describeLab('open').tone).toBe('ok');
  });

  it('shows "Running…" while cells run, in words', async () => {
    const el = document.createElement('lab-status-pill');
    el.status = 'open';
    el.running = 1;
    document.body.append(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=cluster-status]')!.textContent).toContain('Running…');
    expect(el.shadowRoot!.querySelector('[data-testid=lab-status]')!.textContent).toContain('Lab connected');
  });
});
