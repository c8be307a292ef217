// The node image whose code matches the lab's: what classroom mode deploys by default and what the
// container tests build (docs/docker.md, "The image").
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `raft-node:<package.json's version>` for the project at `root` (a folder path). */
export async function nodeImage(root: string): Promise<string> {
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  return `raft-node:${version}`;
}
