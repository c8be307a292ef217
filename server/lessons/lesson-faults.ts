// Which of a backend's faults a lesson's cluster actions need (its `cluster` cells and the `do:`
// lines of its `act` cells), so a runner can say up front that a lesson cannot run on a backend
// (e.g. lessons 14 and 15 add a sixth node, which only the local backend runs).

import type { Fault } from '../contract/fault-words.ts';
import type { ClusterAction, ParsedLesson } from './lesson-types.ts';
import { parseClusterCell } from './parse-cluster-cell.ts';
import { parseActCell } from './parse-learner-cells.ts';

/** The fault an action needs, or null for one every backend runs (waits, sleeps, the view). */
export function faultOf(action: ClusterAction): Fault | null {
  switch (action.kind) {
    case 'hold':
    case 'release':
    case 'deliver':
    case 'drop':
      return 'messages';
    case 'link':
    case 'wires':
      return 'links';
    case 'timer':
    case 'timeout':
      return 'timers';
    case 'wait-leader':
    case 'wait-caught-up':
    case 'wait-candidate':
    case 'sleep':
    case 'view':
      return null;
    default:
      return action.kind;
  }
}

/** Every fault `lesson` needs, in first-use order. A cell that does not parse adds nothing. */
export function faultsNeeded(lesson: ParsedLesson): Fault[] {
  const needed = new Set<Fault>();
  for (const block of lesson.blocks) {
    if (block.kind !== 'cell') continue;
    const { cell } = block;
    try {
      const lines =
        cell.type === 'cluster'
          ? parseClusterCell(cell.source)
          : cell.type === 'act'
            ? parseActCell(cell.source).actions
            : [];
      for (const l of lines) {
        const f = faultOf(l.action);
        if (f !== null) needed.add(f);
      }
    } catch {
      // The runner reports the cell's own problem when it reaches it.
    }
  }
  return [...needed];
}
