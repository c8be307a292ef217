// The image that runs is the image of this code: docker-compose.yml and the swarm stack file
// name the image by the project's version, so an update never silently runs an older image.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../..', import.meta.url).pathname;
const version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

function images(file: string): string[] {
  const doc = parse(readFileSync(`${root}${file}`, 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string }>;
  };
  return Object.values(doc.services).map((s) => s.image ?? '');
}

describe('images carry the project version', () => {
  it.each(['docker-compose.yml', 'deploy/classroom-swarm.yml'])(
    'every service of %s uses raft-node:<package.json version>',
    (file) => {
      for (const image of images(file)) expect(image).toBe(`\${RAFT_IMAGE:-raft-node:${version}}`);
    },
  );
});
