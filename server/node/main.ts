// `npm run node`: one Raft node in the foreground, configured by environment variables
// (docs/node-api.md). Exits quickly on SIGTERM/SIGINT (docker stop), dies on SIGHUP, and
// with EXIT_WHEN_STDIN_CLOSES=1 exits when its parent's stdin pipe closes.

import type { Server } from 'node:http';
import { exposureWarning } from '../http/exposure-warning.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config.ts';
import { createNodeServer } from './http-api.ts';
import { RaftNode } from './node.ts';
import { WalCorruptError } from './storage/wal.ts';

function fail(message: string): never {
  console.error(`node: ${message}`);
  process.exit(1);
}

let config: NodeConfig;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) fail(e.message);
  throw e;
}

let node: RaftNode;
try {
  node = await RaftNode.open(config, {
    onFatal: (err) => {
      console.error(`[node ${config.id}] cannot continue safely, exiting:`, err);
      process.exit(1);
    },
    notice: (message) => console.log(`[node ${config.id}] ${message}`),
    onStateChange: (role, term, leaderId) => {
      console.log(
        `[node ${config.id}] ${role} in term ${term}${leaderId && role !== 'leader' ? `, leader ${leaderId}` : ''}`,
      );
    },
  });
} catch (e) {
  if (e instanceof WalCorruptError) fail(e.message);
  fail(`cannot open DATA_DIR ${config.dataDir}: ${(e as Error).message}`);
}

const server: Server = createNodeServer(node).listen(config.port, config.host);
server.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EADDRINUSE') fail(`port ${config.port} is already in use; pick another PORT`);
  fail(`cannot listen on ${config.host}:${config.port}: ${e.message}`);
});
server.on('listening', () => {
  node.start();
  const peers = config.peers.map((p) => `${p.id}=${p.url}`).join(', ') || 'none (a cluster of one)';
  console.log(
    `[node ${config.id}] listening on ${config.advertiseUrl} (port ${config.port}); peers: ${peers}; data: ${config.dataDir}`,
  );
  const exposed = exposureWarning(`node ${config.id}`, config.host);
  if (exposed) console.warn(`[node ${config.id}] ${exposed}`);
});

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Everything acknowledged is already fsync'd; a last write in flight finishes first.
  const hardStop = setTimeout(() => process.exit(code), 500);
  hardStop.unref();
  server.close();
  server.closeAllConnections();
  await node.stop().catch(() => {});
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
// A node whose parent died while it was stopped gets SIGHUP from the kernel: it must die.
process.on('SIGHUP', () => process.exit(129));

if (config.exitWhenStdinCloses) {
  process.stdin.on('end', () => void shutdown(0));
  process.stdin.on('error', () => void shutdown(0));
  process.stdin.resume();
}
