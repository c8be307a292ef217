// Which moment the picture shows. Live: a moment ago (so the events of that moment have
// arrived from all five nodes). Paused: a fixed moment the learner scrubs to. Replay: a trace
// file's run, paused or playing at a chosen rate. Everything drawn asks `now()` each frame.

export type ClockMode = 'live' | 'paused' | 'replay';

/** The live picture trails the lab's clock by this much: events take a moment to arrive. */
export const LIVE_LAG_MS = 100;

export class ViewClock {
  mode: ClockMode = 'live';
  /** Replay only: time moves on at `rate` × real time. */
  playing = false;
  rate = 1;
  private at = 0;
  private playedFrom = { wall: 0, at: 0 };

  constructor(
    /** The lab's clock (epoch ms). */
    private readonly labNow: () => number,
    /** The last moment there is anything to show in a replay. */
    private readonly end: () => number = () => Number.POSITIVE_INFINITY,
  ) {}

  now(): number {
    if (this.mode === 'live') return this.labNow() - LIVE_LAG_MS;
    if (this.mode === 'replay' && this.playing) {
      const t = this.playedFrom.at + (performance.now() - this.playedFrom.wall) * this.rate;
      if (t < this.end()) return t;
      this.playing = false;
      this.at = this.end();
    }
    return this.at;
  }

  /** Stops the picture at `t` (default: what it shows now). */
  pause(t = this.now()): void {
    if (this.mode === 'live') this.mode = 'paused';
    this.playing = false;
    this.at = t;
  }

  seek(t: number): void {
    const playing = this.playing;
    this.pause(t);
    if (playing) this.play();
  }

  /** Replay: runs on from the moment shown. */
  play(): void {
    if (this.mode !== 'replay') return;
    this.playedFrom = { wall: performance.now(), at: this.now() };
    this.playing = true;
  }

  goLive(): void {
    this.mode = 'live';
    this.playing = false;
  }

  startReplay(at: number): void {
    this.mode = 'replay';
    this.playing = false;
    this.at = at;
  }
}
