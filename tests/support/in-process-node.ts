// One real node in this test process (no child process): for tests that watch or spy on it.
// `env` is the node's environment (docs/node-api.md); DATA_DIR defaults to a fresh temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/node/config.ts';
import { createNodeServer } from '../../server/node/http-api.ts';
import { RaftNode } from '../../server/node/node.ts';

export interface InProcessNode {
  node: RaftNode;
  url: string;
  dataDir: string;
  /** Closes its HTTP server and connections, stops the node, removes its data. */
  stop(): Promise<void>;
}

export async function startInProcessNode(env: Record<string, string>): Promise<InProcessNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'raft-node-'));
  const config = loadConfig({ HOST: '127.0.0.1', DATA_DIR: dataDir, ...env });
  const node = await RaftNode.open(config);
  node.start();
  const server = await new Promise<Server>((resolve) => {
    const s = createNodeServer(node).listen(config.port, config.host, () => resolve(s));
  });
  return {
    node,
    url: `http://${config.host}:${config.port}`,
    dataDir,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
