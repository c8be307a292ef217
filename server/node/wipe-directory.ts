// Empties a node's data directory for /admin/reset. The directory itself stays: under Docker
// it is a volume's mount point, which cannot be removed.
import fs from 'node:fs/promises';
import path from 'node:path';

export async function wipeDirectory(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await Promise.all(names.map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true })));
}
