// What the docker backend tells a person when it cannot work. Its real faults against real
// containers are tested in tests/containers/docker.test.ts (they need a Docker engine).

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerBackend } from './docker-backend.ts';

describe('the docker backend without a usable engine', () => {
  let dir: string | null = null;
  let server: Server | null = null;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('says how to mount the Docker socket when there is none', async () => {
    await expect(DockerBackend.open({ socketPath: '/nonexistent/docker.sock' })).rejects.toThrow(
      /needs the Docker socket.*`- \/var\/run\/docker\.sock:\/var\/run\/docker\.sock` to the lab service/,
    );
  });

  it('says the engine does not answer when something else holds the socket', async () => {
    dir = mkdtempSync(join(tmpdir(), 'raft-docker-sock-'));
    const socketPath = join(dir, 'docker.sock');
    // A socket that hangs up on every connection: not a Docker engine.
    server = createServer((conn) => conn.destroy());
    await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
    await expect(DockerBackend.open({ socketPath })).rejects.toThrow(/does not answer.*is dockerd running\?/);
  });
});
