// Calls a component's `draw` on animation frames while it is on the page: the picture's
// components redraw from the history at the clock's moment, never once per event. `everyMs`
// spaces the draws out (a slowly scrolling timeline needs far fewer than 60 a second).
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class FrameLoop implements ReactiveController {
  private frame = 0;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    host: ReactiveControllerHost,
    private readonly draw: () => void,
    /** The least time between two draws (ms); 0 = every frame. */
    private readonly everyMs: () => number = () => 0,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const tick = (now: number) => {
      this.frame = requestAnimationFrame(tick);
      // A little slack, so that "every 33 ms" keeps in step with 16.7 ms frames.
      if (now - this.last < this.everyMs() - 4) return;
      this.last = now;
      this.draw();
    };
    this.frame = requestAnimationFrame(tick);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.frame);
  }
}
