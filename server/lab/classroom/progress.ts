// What the instructor's dashboard knows about one member of the class, fed by their cluster
// session's live stream (snapshots) and by their requests and run results: the lesson and cell
// they are at, which checks passed, their cluster's health and when they last did anything.
// Check ticks are saved in their workspace folder, so a lab restart keeps the grid.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutcomeView, ClusterHealthView, MemberRowView } from '../../contract/classroom.ts';
import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { RunResult } from '../../contract/lab-api.ts';
import type { LiveMessage } from '../../contract/live.ts';

type ClusterHealth = ClusterHealthView;
type ProgressView = MemberRowView['progress'];

export class Progress {
  lesson: string | null = null;
  cell: string | null = null;
  lastActivity = Date.now();
  health: ClusterHealth | null = null;
  private readonly passed = new Map<string, Set<string>>();
  readonly outcomes = new Map<string, CellOutcomeView>();
  private readonly file: string;

  constructor(dir: string) {
    this.file = join(dir, 'progress.json');
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as { passed?: Record<string, string[]> };
      for (const [lesson, cells] of Object.entries(saved.passed ?? {}))
        this.passed.set(lesson, new Set(cells));
    } catch {
      // No progress yet (or a hand-edited file): start with none.
    }
  }

  touch(lesson?: string, cell?: string): void {
    this.lastActivity = Date.now();
    if (lesson) this.lesson = lesson;
    if (cell) this.cell = cell;
  }

  /** Takes the cluster's health from a live message of the member's own cluster session. */
  observe(message: LiveMessage): void {
    if (message.type === 'snapshot') this.health = healthOf(message.snapshot);
  }

  ran(result: RunResult): void {
    this.touch(result.lessonId, result.cellId);
    const note = result.error?.message ?? failedCheck(result) ?? (result.ok ? '' : 'failed');
    this.outcomes.set(`${result.lessonId}/${result.cellId}`, {
      ok: result.ok,
      count: result.count,
      at: result.startedAt,
      note,
    });
    if (result.type !== 'check') return;
    // The latest run counts: a check that fails again loses its tick (as in the notebook's list).
    const cells = this.passed.get(result.lessonId) ?? new Set<string>();
    this.passed.set(result.lessonId, cells);
    const had = cells.has(result.cellId);
    if (result.ok) cells.add(result.cellId);
    else cells.delete(result.cellId);
    if (had !== result.ok) this.save();
  }

  forgetLesson(lessonId: string): void {
    this.passed.delete(lessonId);
    for (const key of [...this.outcomes.keys()])
      if (key.startsWith(`${lessonId}/`)) this.outcomes.delete(key);
    this.save();
  }

  view(): ProgressView {
    return {
      lesson: this.lesson,
      cell: this.cell,
      passed: Object.fromEntries([...this.passed].map(([l, s]) => [l, [...s].sort()])),
      lastActivity: this.lastActivity,
      health: this.health,
    };
  }

  private save(): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ passed: this.view().passed })}\n`);
    renameSync(tmp, this.file);
  }
}

export function healthOf(s: ClusterSnapshot): ClusterHealth {
  return {
    leader: s.nodes.find((n) => n.id === s.leaderId)?.name ?? null,
    term: s.term,
    nodesUp: s.nodes.filter((n) => n.status !== null).length,
    nodes: s.nodes.length,
  };
}

function failedCheck(result: RunResult): string | undefined {
  const a = result.check?.assertions.find((x) => !x.ok);
  return a ? `${a.text}: expected ${a.expected}, saw ${a.seen}` : undefined;
}
