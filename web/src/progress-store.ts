// Which check cells of each lesson passed, kept in localStorage so the lesson list shows
// progress across visits. Stored per lesson: {"passed": ["c4", "c9"]}.
const PREFIX = 'raft-lab:progress:';

export class ProgressStore extends EventTarget {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = safeStorage(),
  ) {
    super();
  }

  passed(lessonId: string): Set<string> {
    try {
      const raw = this.storage?.getItem(PREFIX + lessonId);
      const data = raw ? (JSON.parse(raw) as { passed?: unknown }) : null;
      return new Set(Array.isArray(data?.passed) ? data.passed.filter((x) => typeof x === 'string') : []);
    } catch {
      return new Set();
    }
  }

  /** Records a check cell's latest outcome: a later failure takes the tick away again. */
  record(lessonId: string, cellId: string, ok: boolean): void {
    const passed = this.passed(lessonId);
    if (passed.has(cellId) === ok) return;
    if (ok) passed.add(cellId);
    else passed.delete(cellId);
    try {
      this.storage?.setItem(PREFIX + lessonId, JSON.stringify({ passed: [...passed] }));
    } catch {
      // Storage full or disabled: progress lasts for this visit only.
    }
    this.dispatchEvent(new Event('change'));
  }

  clear(lessonId: string): void {
    this.storage?.removeItem(PREFIX + lessonId);
    this.dispatchEvent(new Event('change'));
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
