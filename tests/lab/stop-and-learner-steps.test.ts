// On a real cluster: Stop ends a waiting check at once and cancels the queued cells; learner
// steps (predict, choose, act) answered by the learner and by the lesson's defaults; history
// facts that check what the learner did, from cells and from the panel; an in-place reset.
import { describe, expect, it } from 'vitest';
import type { CellType, RunMode, RunResult } from '../../server/contract/lab-api.ts';
import { settledLeader } from '../../server/lab/cluster/snapshot.ts';
import { waitFor } from '../support/wait-for.ts';
import { sessionForSuite } from './start-test-session.ts';

const BASE_PORT = 17711;
const lesson = 'steps';
const t = sessionForSuite({ basePort: BASE_PORT, lessonId: lesson });

const run = (
  type: CellType,
  source: string,
  cellId = 'x',
  step: { answer?: string; mode?: RunMode; afterCellId?: string } = {},
): Promise<RunResult> => t.run(type, source, { cellId, ...step });

describe('Stop', () => {
  it('ends a waiting check within a second and cancels every queued cell', async () => {
    let waiting = false;
    const off = t.session.hub.subscribe((m) => {
      if (m.type === 'run' && m.phase === 'attempt' && m.waitingFor?.includes('leaders == 0')) waiting = true;
    });
    try {
      const check = run('check', 'timeout: 60s\nleaders == 0', 'waits');
      const queued = run('cluster', 'kill node1', 'queued');
      await waitFor('the check to say what it waits for', async () => waiting, { timeoutMs: 30_000 });
      const stoppedAt = performance.now();
      expect(t.session.interrupt()).toBe(2);
      const r = await check;
      const tookMs = performance.now() - stoppedAt;
      expect(r).toMatchObject({ ok: false, stopped: true });
      expect(r.error?.message).toBe('Stopped: you pressed Stop.');
      expect(tookMs).toBeLessThan(1000);
      const q = await queued;
      expect(q).toMatchObject({ ok: false, stopped: true, cluster: null });
      expect(q.error?.message).toMatch(/^Not run: Stop was pressed/);
      // The queued `kill node1` never ran.
      expect(t.session.backend.nodeState('1').up).toBe(true);
    } finally {
      off();
    }
  });

  it('leaves the queue working for the next run', async () => {
    const r = await run('check', 'leaders == 1');
    expect(r.ok, JSON.stringify(r.check)).toBe(true);
  });
});

describe('learner steps', () => {
  const predict = [
    'Who leads after the leader is killed?',
    '- old: the old leader, again',
    '  if: leader.node_id == {{old_leader}}',
    '- other: another node, in a higher term',
    '  if: leader.node_id != {{old_leader}}',
    '  if: leader.term > {{old_term}}',
    'default: other',
    'explain: Four of five are a majority (§5.2).',
  ].join('\n');

  it('a prediction locked in by the learner is decided by the cell after it, and explained', async () => {
    await run('cluster', 'reset');
    const status = await run(
      'http',
      'GET {{leader}}/status\n[Options]\nretry: 10\nretry-interval: 200ms\n\nHTTP 200\n[Captures]\nold_leader: jsonpath "$.node_id"\nold_term: jsonpath "$.term"',
    );
    expect(status.ok, JSON.stringify(status.http)).toBe(true);
    const needsAnswer = await run('predict', predict, 'p', { afterCellId: 'kill' });
    expect(needsAnswer.ok).toBe(false);
    expect(needsAnswer.error?.message).toBe('no answer picked yet');
    const locked = await run('predict', predict, 'p', { answer: 'old', afterCellId: 'kill' });
    expect(locked.ok).toBe(true);
    expect(locked.predict).toMatchObject({
      answer: 'old',
      by: 'learner',
      afterCellId: 'kill',
      outcome: null,
    });
    // The question shows the value a capture had, not its placeholder.
    expect(locked.predict!.options[0]!.text).toBe('the old leader, again');
    const kill = await run('cluster', 'kill {{leader}}\nwait leader 20s', 'kill');
    expect(kill.ok, JSON.stringify(kill.cluster)).toBe(true);
    expect(kill.cluster!.actions[0]!.shown).toBe(`kill node${status.variables.old_leader}`);
    const [outcome] = kill.predictions!;
    expect(outcome).toMatchObject({
      predictCellId: 'p',
      afterCellId: 'kill',
      answer: 'old',
      by: 'learner',
      happened: ['other'],
      correct: false,
      determined: true,
      explain: 'Four of five are a majority (§5.2).',
    });
    expect(outcome!.options.find((o) => o.key === 'other')!.lines.map((l) => l.shown)).toEqual([
      `leader.node_id != "${status.variables.old_leader}"`,
      `leader.term > ${status.variables.old_term}`,
    ]);
    await run('cluster', `restart node${status.variables.old_leader}`);
  });

  it('history facts check what was done since the reset: the role then, the count, the panel', async () => {
    await run('cluster', 'reset');
    const choose =
      'Which node?\n- leader: the leader\n  set: victim = {{leader}}\n- follower: a follower\n  set: victim = {{follower}}\ndefault: leader';
    const chosen = await run('choose', choose, 'c', { answer: 'follower' });
    expect(chosen.ok).toBe(true);
    expect(chosen.choose).toMatchObject({ choice: 'follower', by: 'learner' });
    const victim = String(chosen.choose!.set.victim);
    expect((await run('cluster', 'kill {{victim}}')).ok).toBe(true);
    const panel = await t.session.action('pause {{leader}}');
    expect(panel.ok).toBe(true);
    const check = await run(
      'check',
      [
        'you killed a follower',
        'you killed {{victim}}',
        'you killed the leader',
        'hint if not yet: Kill the leader with its button.',
        'you paused the leader from the panel',
        'you paused a node from a cell',
        '{{victim}} is down',
      ].join('\n'),
    );
    const byText = Object.fromEntries(check.check!.assertions.map((a) => [a.text, a]));
    expect(byText['you killed a follower']!.ok).toBe(true);
    expect(byText['you killed {{victim}}']!).toMatchObject({
      ok: true,
      shown: `you killed ${t.session.guard.nodeFor(victim)!.name}`,
    });
    expect(byText['you killed the leader']!).toMatchObject({
      ok: false,
      cause: 'not yet',
      hint: 'Kill the leader with its button.',
    });
    expect(byText['you killed the leader']!.seen).toMatch(/^killed node\d \(a follower\) from a cell$/);
    expect(byText['you paused the leader from the panel']!.ok).toBe(true);
    expect(byText['you paused a node from a cell']!.ok).toBe(false);
    expect(byText['{{victim}} is down']!.ok).toBe(true);
    await run('cluster', 'reset');
  });

  it('an act step: "check" judges what the learner did; "do it for me" does the lesson\'s do: lines', async () => {
    const act =
      'Kill a follower yourself.\ndone: you killed a follower\nhint if not yet: Press Kill on a follower.\ndo: kill {{follower}}';
    const notYet = await run('act', act, 'a', { mode: 'learner' });
    expect(notYet.ok).toBe(false);
    expect(notYet.act!.done[0]).toMatchObject({
      ok: false,
      cause: 'not yet',
      hint: 'Press Kill on a follower.',
    });
    expect(notYet.act!.actions).toEqual([]);
    const done = await run('act', act, 'a', { mode: 'default' });
    expect(done.ok, JSON.stringify(done.act)).toBe(true);
    expect(done.act!.by).toBe('default');
    expect(done.act!.actions.map((a) => a.text)).toEqual(['kill {{follower}}']);
    // Once done, the step holds for the learner too, and Run all does not do it again.
    const again = await run('act', act, 'a', { mode: 'default' });
    expect(again.act).toMatchObject({ by: 'learner', actions: [] });
  });
});

describe('reset', () => {
  it('gives a fresh cluster with a leader, resetting running nodes in place and restarting only the down one', async () => {
    expect((await run('cluster', 'reset')).ok).toBe(true);
    await run('http', 'POST {{leader}}/client_command\n\n{"command": "set old=1"}\n\nHTTP 200');
    await run('cluster', 'kill node2\npause node4\nspeed 0.5');
    const pids = t.backend.pids();
    const r = await run('cluster', 'reset');
    expect(r.ok, JSON.stringify(r.cluster)).toBe(true);
    const after = t.backend.pids();
    expect(after.filter((_, i) => i !== 1)).toEqual(pids.filter((_, i) => i !== 1));
    expect(pids[1]).toBeNull();
    expect(after[1]).not.toBeNull();
    const s = await t.session.snapshot();
    for (const n of s.nodes) {
      expect(n.paused).toBe(false);
      expect(n.status?.kv).toEqual({});
      expect(n.status?.faults).toMatchObject({ paused: false, speed: 1, cut_inbound: [], cut_outbound: [] });
    }
    expect(settledLeader(s)).not.toBeNull();
    const history = await run('check', 'you killed node2');
    expect(history.check!.assertions[0]).toMatchObject({ ok: false, cause: 'not yet' });
  });
});
