import { describe, expect, it } from 'vitest';
import { pauseContainer } from './engine-errors.ts';

const refusal = (message: string) =>
  Object.assign(new Error(message), { statusCode: 500, json: { message } });
const FREEZE = 'Cannot pause container f295: OCI runtime pause failed: unable to freeze: unknown';

describe('pausing a container through the engine', () => {
  it('tries again when the freezer gives up, and succeeds once it freezes', async () => {
    let calls = 0;
    await pauseContainer(
      async () => {
        calls++;
        if (calls < 3) throw refusal(FREEZE);
      },
      'node2',
      5,
      0,
    );
    expect(calls).toBe(3);
  });

  it('says, after the last try, that the node is still running and the pause can be run again', async () => {
    let calls = 0;
    const failing = pauseContainer(
      async () => {
        calls++;
        throw refusal(FREEZE);
      },
      'node2',
      3,
      0,
    );
    await expect(failing).rejects.toThrow(
      /could not freeze node2 in 3 tries.*node2 is still running: run the pause again/,
    );
    expect(calls).toBe(3);
  });

  it('passes any other refusal on at once', async () => {
    let calls = 0;
    const failing = pauseContainer(
      async () => {
        calls++;
        throw refusal('Container abc is not running');
      },
      'node2',
      5,
      0,
    );
    await expect(failing).rejects.toThrow(/is not running/);
    expect(calls).toBe(1);
  });
});
