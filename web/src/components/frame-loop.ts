// Calls a component's `draw` once per animation frame while it is on the page: the picture's
// components redraw from the history at the clock's moment, never once per event.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class FrameLoop implements ReactiveController {
  private frame = 0;

  constructor(
    host: ReactiveControllerHost,
    private readonly draw: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const tick = () => {
      this.frame = requestAnimationFrame(tick);
      this.draw();
    };
    this.frame = requestAnimationFrame(tick);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.frame);
  }
}
