import { describe, expect, it } from 'vitest';
import { type CpuProfile, categoryOf, summarizeProfile } from '../../bench/cpu-profile-summary.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** root → a (server/node/node.ts) → b (express) and root → (idle); samples 1 ms apart from t = 1000 µs. */
function profile(samples: number[]): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4] },
      { id: 2, callFrame: frame('runReadyLoop', 'file:///repo/server/node/node.ts', 9), children: [3] },
      { id: 3, callFrame: frame('handle', 'file:///repo/node_modules/express/lib/application.js', 151) },
      { id: 4, callFrame: frame('(idle)') },
    ],
    startTime: 0,
    endTime: 1000 + samples.length * 1000,
    samples,
    timeDeltas: samples.map((_, i) => (i === 0 ? 1000 : 1000)),
  };
}

describe('CPU profile summary', () => {
  it('counts only the samples inside the window, and idle time as not busy', () => {
    // Samples at 1, 2, 3, 4, 5 ms: a, b, idle, b, b.
    const s = summarizeProfile(profile([2, 3, 4, 3, 3]), 1500, 4500);
    // Inside [1.5 ms, 4.5 ms]: samples at 2 (b), 3 (idle), 4 (b), each worth 1 ms.
    expect(s.busy_ms).toBe(2);
    expect(s.categories).toEqual([{ category: 'npm: express', ms: 2, pct_of_busy: 100 }]);
  });

  it("gives this project's functions inclusive time, once per sample", () => {
    const s = summarizeProfile(profile([2, 3, 3, 4]), 0, 10_000);
    const loop = s.inclusive.find((f) => f.fn.startsWith('runReadyLoop server/node/node.ts'));
    // a itself (1 sample) plus b below it (2 samples); the last sample has no successor, so 0 ms.
    expect(loop?.ms).toBe(3);
  });

  it('sorts frames into categories by where their code lives', () => {
    expect(categoryOf(frame('(garbage collector)'))).toBe('GC');
    expect(categoryOf(frame('parse'))).toMatch(/^builtins/);
    expect(categoryOf(frame('writeHead', 'node:_http_server'))).toBe('node: http');
    expect(categoryOf(frame('x', 'file:///r/node_modules/@scope/pkg/i.js'))).toBe('npm: @scope/pkg');
    expect(categoryOf(frame('append', 'file:///r/server/node/storage/wal.ts'))).toBe(
      'server/node/storage/wal.ts',
    );
  });
});
