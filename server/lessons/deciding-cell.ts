// Which cell decides a prediction: the one its `after:` names, else the next cell of the lesson
// that is not itself a prediction (two questions may come before the same step); scratch cells a
// learner added do not count: the lesson's question is about its own cell.

export interface CellInOrder {
  id: string;
  type: string;
  scratch?: boolean;
}

/** The deciding cell's id, or a sentence saying why there is none (for the lesson's author). */
export function decidingCell(
  cells: readonly CellInOrder[],
  predictId: string,
  after: string | null,
): { id: string } | { problem: string } {
  const lessonCells = cells.filter((c) => !c.scratch);
  const at = lessonCells.findIndex((c) => c.id === predictId);
  if (after !== null) {
    const target = lessonCells.findIndex((c) => c.id === after);
    if (target < 0) return { problem: `\`after: ${after}\` names no cell of this lesson` };
    if (target <= at)
      return { problem: `\`after: ${after}\` must name a cell that comes after the prediction` };
    return { id: after };
  }
  const next = lessonCells.slice(at + 1).find((c) => c.type !== 'predict');
  return next ? { id: next.id } : { problem: 'a predict cell needs a cell after it whose run decides it' };
}
