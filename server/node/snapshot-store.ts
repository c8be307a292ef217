// The node's snapshots (paper §7): the latest one in memory (the leader sends it to followers
// behind its first index) and on disk (raft.snap), and the rule for taking one: once the log
// holds SNAPSHOT_ENTRIES applied entries after the last snapshot (default 10,000, etcd 3.5's
// --snapshot-count), the state machine is serialised at lastApplied, written and fsync'd, and
// only then the core and the write-ahead log drop the prefix it replaces.

import type { RaftCore } from '../raft/core.ts';
import type { KvStateMachine } from '../statemachine/kv.ts';
import { readSnapshotFile, type StoredSnapshot, writeSnapshotFile } from './storage/snapshot-file.ts';
import { DiskFullError, type Wal } from './storage/wal.ts';

export class SnapshotStore {
  private held: StoredSnapshot | null;
  /** Snapshots written by this process: taken locally, and installed from a leader. */
  taken = 0;
  installed = 0;

  private constructor(
    private readonly dir: string,
    held: StoredSnapshot | null,
  ) {
    this.held = held;
  }

  /** Reads raft.snap from `dir` (SnapshotCorruptError if it is damaged). */
  static async open(dir: string): Promise<SnapshotStore> {
    return new SnapshotStore(dir, await readSnapshotFile(dir));
  }

  get latest(): StoredSnapshot | null {
    return this.held;
  }

  /** Writes and fsyncs `snap`; from then on it is the one sent to followers. */
  async store(snap: StoredSnapshot, received: boolean): Promise<void> {
    await writeSnapshotFile(this.dir, snap);
    this.held = snap;
    if (received) this.installed++;
    else this.taken++;
  }

  /**
   * Takes a snapshot at lastApplied when `threshold` applied entries follow the last one.
   * Resolves true when it did. Order (paper §7, server/raft/README.md): state machine image →
   * raft.snap fsync'd → core.compact → WAL record dropping the prefix.
   */
  async maybeTake(core: RaftCore, sm: KvStateMachine, wal: Wal, threshold: number): Promise<boolean> {
    const index = core.lastApplied;
    if (index - core.snapshot.index < threshold) return false;
    // Undefined on a server that joined and has not got the entry that added it yet: later.
    const meta = core.snapshotMeta(index);
    if (meta === undefined) return false;
    await this.store({ meta, data: sm.snapshot() }, false);
    core.compact(index);
    try {
      await wal.append({ dropTo: index });
    } catch (e) {
      // The snapshot is durable; the prefix goes with the next Ready's record instead (node.ts).
      if (!(e instanceof DiskFullError)) throw e;
    }
    return true;
  }
}
