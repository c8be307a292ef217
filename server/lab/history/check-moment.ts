// A failed check links to the moment its expectation stopped holding: the assertion is judged
// again on the recorded status samples, newest first, to find the last one where it still held;
// the moment is the first event after that sample that changed a node's state (a role, a term,
// a commit, a fault), else the first event at all, else the next sample. The picture jumps
// there and highlights the event (docs/web.md, "Time travel").

import type { CheckCellResult, Moment } from '../../contract/lab-api.ts';
import type { CheckAssertion, CheckCell } from '../../lessons/lesson-types.ts';
import { evaluateCheck } from '../run/evaluate-check.ts';
import type { RunRecorder } from './recorder.ts';

/** How far back a failed check is traced (samples; about five minutes at five a second). */
const LOOK_BACK_SAMPLES = 1500;
const STATE_CHANGES = new Set(['state', 'term', 'commit', 'admin']);

/** Fills in `moment` on each failed assertion of `result` that once held in the recording. */
export function addMoments(
  cell: CheckCell,
  result: CheckCellResult,
  recorder: RunRecorder,
  captured: Record<string, unknown>,
  checkedAt: number = Date.now(),
): void {
  const samples = recorder.allSamples();
  const vars = new Map(Object.entries(captured));
  cell.lines.forEach((line, i) => {
    const r = result.assertions[i];
    if (!r || r.ok) return;
    // Counts over the history only grow or stay; they have no moment of "stopping".
    if (countsHistory(line.assertion)) return;
    const first = Math.max(0, samples.length - LOOK_BACK_SAMPLES);
    let held = -1;
    for (let k = samples.length - 1; k >= first; k--) {
      if (evaluateCheck(line.assertion, samples[k]!, vars).ok) {
        held = k;
        break;
      }
    }
    if (held < 0) return;
    const from = samples[held]!.at;
    const to = samples[held + 1]?.at ?? checkedAt;
    r.moment = momentBetween(recorder, from, to);
  });
}

function countsHistory(a: CheckAssertion): boolean {
  // What the learner did (`you killed …`) is not in the samples either.
  if (a.kind === 'history') return true;
  return (
    a.kind === 'compare' &&
    (a.left.kind === 'history' || (a.right.kind === 'subject' && a.right.subject.kind === 'history'))
  );
}

function momentBetween(recorder: RunRecorder, from: number, to: number): Moment {
  const window = recorder.eventsBetween(from, to);
  const pick = window.find((e) => STATE_CHANGES.has(e.event.type)) ?? window[0];
  return pick
    ? { at: pick.event.at, event_id: pick.id, node_id: pick.event.node_id }
    : { at: to, event_id: null, node_id: null };
}
