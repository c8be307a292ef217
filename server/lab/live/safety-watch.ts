import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { SafetyWarning } from '../../contract/live.ts';

// Watches every snapshot for what Raft promises never happens: two leaders in one term
// (Election Safety) and two committed logs that disagree at an index (State Machine Safety).

/** How many committed indexes we remember per cluster (older ones are forgotten). */
const REMEMBERED_INDEXES = 20_000;

export class SafetyWatch {
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly committed = new Map<number, { term: number; command: string | null; node: string }>();
  private readonly reported = new Set<string>();

  /** After a reset every node starts from an empty log at term 0: what we saw before no longer holds. */
  forget(): void {
    this.leaderOfTerm.clear();
    this.committed.clear();
    this.reported.clear();
  }

  observe(snapshot: ClusterSnapshot): SafetyWarning[] {
    const warnings: SafetyWarning[] = [];
    const warn = (key: string, w: SafetyWarning) => {
      if (this.reported.has(key)) return;
      this.reported.add(key);
      warnings.push(w);
    };
    for (const node of snapshot.nodes) {
      const s = node.status;
      if (!s) continue;
      if (s.state === 'leader') {
        const earlier = this.leaderOfTerm.get(s.term);
        if (earlier === undefined) this.leaderOfTerm.set(s.term, node.id);
        else if (earlier !== node.id) {
          warn(`leaders:${s.term}`, {
            kind: 'two-leaders',
            detail: `node${earlier} and ${node.name} were both leader in term ${s.term}`,
          });
        }
      }
      for (const e of s.log) {
        if (e.index > s.commit_index) break;
        const seen = this.committed.get(e.index);
        if (!seen) this.committed.set(e.index, { term: e.term, command: e.command, node: node.name });
        else if (seen.term !== e.term || seen.command !== e.command) {
          warn(`log:${e.index}`, {
            kind: 'log-divergence',
            detail:
              `committed entry ${e.index} differs: ${seen.node} had term ${seen.term} ${JSON.stringify(seen.command)}, ` +
              `${node.name} has term ${e.term} ${JSON.stringify(e.command)}`,
          });
        }
      }
    }
    if (this.committed.size > REMEMBERED_INDEXES) {
      const drop = [...this.committed.keys()]
        .sort((a, b) => a - b)
        .slice(0, this.committed.size - REMEMBERED_INDEXES);
      for (const k of drop) this.committed.delete(k);
    }
    return warnings;
  }
}
