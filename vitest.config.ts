import { defineConfig } from 'vitest/config';

// Integration suites start real node processes on loopback ports; on a 2-core machine
// running them all at once makes timing-based Raft behaviour (elections) flaky, so
// test files run one at a time and each test gets a generous budget.
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'web/**/*.test.ts', 'tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
