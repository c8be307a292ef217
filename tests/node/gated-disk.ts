// A write-ahead log file (WalOptions.openFile) whose fdatasync waits while the gate is closed,
// so a test can hold a record "being written" for as long as it needs, and which counts the
// records written at once. Shared by the WAL and Ready-loop tests.

import fs from 'node:fs/promises';
import type { WalFile } from '../../server/node/storage/wal.ts';

export class GatedDisk {
  closed = false;
  /** Records written and not yet fdatasync'd: now, and the most at any time. */
  inFlight = 0;
  maxInFlight = 0;
  private waiting: (() => void)[] = [];

  /** How many fdatasyncs wait at the gate. */
  get held(): number {
    return this.waiting.length;
  }

  /** Opens the gate: every held fdatasync goes on. */
  release(): void {
    this.closed = false;
    for (const go of this.waiting.splice(0)) go();
  }

  open = async (file: string): Promise<WalFile> => {
    const h = await fs.open(file, 'r+');
    return {
      write: (async (buf: Uint8Array, offset: number, length: number, position: number) => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        return h.write(buf, offset, length, position);
      }) as WalFile['write'],
      datasync: async () => {
        if (this.closed) await new Promise<void>((go) => this.waiting.push(go));
        await h.datasync();
        this.inFlight = 0;
      },
      truncate: (len?: number) => h.truncate(len),
      close: () => h.close(),
    };
  };
}
