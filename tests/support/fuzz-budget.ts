// How many cases each property-based fuzzer runs. `npm test` keeps the whole fuzzing budget to
// a minute or two; RAFT_FUZZ_SCALE=20 (say) runs twenty times as many, for a long hunt.
const scale = Number(process.env.RAFT_FUZZ_SCALE ?? '1');

/** `base` runs, scaled by RAFT_FUZZ_SCALE (at least 1). */
export function fuzzRuns(base: number): number {
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
