// The faults a cluster backend can inject, in the order lessons meet them. Dependency-free, so
// the lesson parser (and with it the web app's editor) can share the list without a schema library.

export const ALL_FAULTS = [
  'kill',
  'restart',
  'pause',
  'resume',
  'partition',
  'heal',
  'speed',
  'noop',
  'reset',
] as const;
export type Fault = (typeof ALL_FAULTS)[number];
