// `npm run cluster`: five nodes on ports 5001-5005 of this machine, data in ./data, output
// prefixed with the node's name. Ctrl-C stops all five. BASE_PORT, CLUSTER_SIZE, DATA_ROOT and
// ADMIN_TOKEN change the defaults.

import path from 'node:path';
import { LocalCluster } from '../cluster/local-cluster.ts';

const size = Number(process.env.CLUSTER_SIZE ?? 5);
const basePort = Number(process.env.BASE_PORT ?? 5001);
const dataRoot = path.resolve(process.env.DATA_ROOT ?? './data');
if (!Number.isInteger(size) || size < 1 || size > 99) {
  console.error(`cluster: CLUSTER_SIZE must be an integer from 1 to 99, got '${process.env.CLUSTER_SIZE}'`);
  process.exit(1);
}
if (!Number.isInteger(basePort) || basePort < 1 || basePort + size - 1 > 65535) {
  console.error(
    `cluster: BASE_PORT must be a port such that BASE_PORT+${size - 1} <= 65535, got '${process.env.BASE_PORT}'`,
  );
  process.exit(1);
}

const cluster = new LocalCluster({
  size,
  basePort,
  dataRoot,
  adminToken: process.env.ADMIN_TOKEN || undefined,
  output: 'prefix',
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the cluster...');
  await cluster.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  await cluster.start();
} catch (e) {
  console.error(`cluster: ${(e as Error).message}`);
  await stop(1);
}
const leader = await cluster.waitForLeader(10_000).catch(() => null);
console.log(`\n${size} Raft nodes running (data in ${dataRoot}):`);
for (const n of cluster.nodes()) {
  console.log(`  ${n.name}  ${n.url}  pid ${n.pid}${leader?.node_id === n.id ? '  <- leader' : ''}`);
}
console.log(`\ntry:  curl ${cluster.url('1')}/status`);
console.log(
  `      curl -L -X POST ${cluster.url('1')}/client_command -H 'Content-Type: application/json' -d '{"command":"set x=42"}'`,
);
console.log('Ctrl-C stops all nodes.\n');
