// Tells the event stream about the node's timers (§5.2), so the picture can draw each election
// timer as a countdown and each leader heartbeat: an `election_timer` event whenever the timer
// is reset (a new random timeout), paused, resumed, stopped (leader) or rescaled (speed), and a
// `heartbeat` event whenever a leader's heartbeat timer fires. The core only exposes its timers
// read-only (RaftCore.timers()); this module compares them after every tick and step.
// Nothing is done while nobody listens.

import type { RaftCore } from '../raft/core.ts';
import type { NodeEvents } from './events.ts';
import type { Faults } from './faults.ts';

type TimerState = 'running' | 'paused' | 'stopped';

export class TimerEvents {
  private lastState: TimerState | null = null;
  private lastElapsed = 0;
  private lastTimeout = 0;

  constructor(
    private readonly core: RaftCore,
    private readonly faults: Faults,
    private readonly events: NodeEvents,
    private readonly tickMs: number,
  ) {}

  /** After a step, a tick or a campaign: reports a reset, a new role or a new state. `force` reports anyway. */
  observe(force = false): void {
    if (!this.events.active) {
      // A listener that connects later gets the timer at the next observation.
      this.lastState = null;
      return;
    }
    const t = this.core.timers();
    const state: TimerState =
      this.core.role === 'leader'
        ? 'stopped'
        : this.faults.timerPaused || this.faults.paused
          ? 'paused'
          : 'running';
    const reset = t.electionElapsed < this.lastElapsed || t.electionTimeout !== this.lastTimeout;
    this.lastElapsed = t.electionElapsed;
    this.lastTimeout = t.electionTimeout;
    // A stopped timer still restarts (a heartbeat, a vote, a `timeout`): its arc must jump back too.
    if (!force && state === this.lastState && !(state !== 'stopped' && reset)) return;
    this.lastState = state;
    const msPerTick = this.tickMs / this.faults.speed;
    this.events.emit({
      type: 'election_timer',
      state,
      timeout_ms: Math.round(t.electionTimeout * msPerTick),
      remaining_ms:
        state === 'stopped' ? 0 : Math.round(Math.max(0, t.electionTimeout - t.electionElapsed) * msPerTick),
    });
  }

  /** After a tick: a leader whose heartbeat timer just fired says so. */
  afterTick(heartbeatTicks: number): void {
    this.observe();
    if (!this.events.active || this.core.role !== 'leader' || this.core.timers().heartbeatElapsed !== 0)
      return;
    this.events.emit({
      type: 'heartbeat',
      interval_ms: Math.round((heartbeatTicks * this.tickMs) / this.faults.speed),
    });
  }
}
