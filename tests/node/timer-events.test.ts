// The election_timer events the picture draws its arcs from (§5.2), with a stand-in core: the
// module only reads the core's role and its read-only timers().
import { describe, expect, it } from 'vitest';
import type { NodeEventBody } from '../../server/contract/node-events.ts';
import type { NodeEvents } from '../../server/node/events.ts';
import type { Faults } from '../../server/node/faults.ts';
import { TimerEvents } from '../../server/node/timer-events.ts';
import type { RaftCore } from '../../server/raft/core.ts';

function setup() {
  const core = { role: 'follower', t: { electionElapsed: 0, electionTimeout: 20, heartbeatElapsed: 0 } };
  const faults = { timerPaused: false, paused: false, speed: 1 };
  const emitted: NodeEventBody[] = [];
  const events = { active: true, emit: (e: NodeEventBody) => emitted.push(e) };
  const timers = new TimerEvents(
    {
      get role() {
        return core.role;
      },
      timers: () => ({ ...core.t }),
    } as unknown as RaftCore,
    faults as unknown as Faults,
    events as unknown as NodeEvents,
    15,
  );
  return { core, faults, emitted, timers };
}

describe('election timer events', () => {
  it('a reset of a running timer reports the new random timeout in ms', () => {
    const { core, emitted, timers } = setup();
    timers.observe();
    core.t.electionElapsed = 12;
    timers.observe();
    expect(emitted).toHaveLength(1);
    core.t = { electionElapsed: 0, electionTimeout: 30, heartbeatElapsed: 0 };
    timers.observe();
    expect(emitted.at(-1)).toMatchObject({ state: 'running', timeout_ms: 450, remaining_ms: 450 });
  });

  it('a stopped timer that restarts (a heartbeat or a granted vote) is reported, so its arc jumps back', () => {
    const { core, faults, emitted, timers } = setup();
    core.t.electionElapsed = 15;
    faults.timerPaused = true;
    timers.observe(true);
    expect(emitted.at(-1)).toMatchObject({ state: 'paused', remaining_ms: 75 });
    core.t.electionElapsed = 0;
    timers.observe();
    expect(emitted).toHaveLength(2);
    expect(emitted.at(-1)).toMatchObject({ state: 'paused', timeout_ms: 300, remaining_ms: 300 });
  });

  it('a leader reports its timer stopped once, not at every tick', () => {
    const { core, emitted, timers } = setup();
    core.role = 'leader';
    timers.observe();
    core.t.electionElapsed = 0;
    core.t.electionTimeout = 25;
    timers.observe();
    expect(emitted).toEqual([{ type: 'election_timer', state: 'stopped', timeout_ms: 300, remaining_ms: 0 }]);
  });
});
