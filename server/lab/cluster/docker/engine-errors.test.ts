import { describe, expect, it } from 'vitest';
import { pauseContainer } from './engine-errors.ts';

const refusal = (message: string) =>
  Object.assign(new Error(message), { statusCode: 500, json: { message } });
const FREEZE = 'Cannot pause container f295: OCI runtime pause failed: unable to freeze: unknown';

/** A pause the engine answers with `refusalAt(call)` (call 1, 2, …; null: it pauses), counting the calls. */
function enginePause(refusalAt: (call: number) => string | null) {
  const engine = {
    calls: 0,
    pause: async () => {
      engine.calls++;
      const message = refusalAt(engine.calls);
      if (message !== null) throw refusal(message);
    },
  };
  return engine;
}

describe('pausing a container through the engine', () => {
  it('tries again when the freezer gives up, and succeeds once it freezes', async () => {
    const engine = enginePause((call) => (call < 3 ? FREEZE : null));
    await pauseContainer(engine.pause, 'node2', 5, 0);
    expect(engine.calls).toBe(3);
  });

  it('says, after the last try, that the node is still running and the pause can be run again', async () => {
    const engine = enginePause(() => FREEZE);
    await expect(pauseContainer(engine.pause, 'node2', 3, 0)).rejects.toThrow(
      /could not freeze node2 in 3 tries.*node2 is still running: run the pause again/,
    );
    expect(engine.calls).toBe(3);
  });

  it('passes any other refusal on at once', async () => {
    const engine = enginePause(() => 'Container abc is not running');
    await expect(pauseContainer(engine.pause, 'node2', 5, 0)).rejects.toThrow(/is not running/);
    expect(engine.calls).toBe(1);
  });
});
