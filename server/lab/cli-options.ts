// The command-line flags the lab (main.ts) and the headless checker (check-lessons-main.ts)
// share: which cluster to use and where the lessons are. Environment variables give defaults.
import type { BackendChoice } from './cluster/create-backend.ts';

export const BACKEND_FLAGS = {
  backend: { type: 'string' },
  'base-port': { type: 'string' },
  size: { type: 'string' },
  nodes: { type: 'string' },
  'admin-token': { type: 'string' },
  data: { type: 'string' },
  'node-output': { type: 'boolean', default: false },
  lessons: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const BACKEND_HELP = `  --backend local|docker|remote   the cluster (env LAB_BACKEND; default local)
  --base-port N                   local: first node port (env LAB_BASE_PORT; default 5001)
  --size N                        local: number of nodes (default 5)
  --data DIR                      local: node data folder, wiped at start
  --node-output                   local: print the nodes' own output, prefixed [nodeN]
  --nodes URL,URL,...             remote: the node URLs (env LAB_NODES), e.g. http://h:5001,http://h:5002
  --admin-token T                 remote/docker: the nodes' ADMIN_TOKEN (env LAB_ADMIN_TOKEN)
  --lessons DIR                   the lessons folder (default lessons/)`;

/** Thrown for bad flags; main() prints it with the usage and exits 2. */
export class UsageError extends Error {}

export function intFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got \`${value}\``);
  return n;
}

export function backendChoice(values: Record<string, unknown>, defaultDataRoot: string): BackendChoice {
  const env = process.env;
  const kind = String(values.backend ?? env.LAB_BACKEND ?? 'local');
  if (kind !== 'local' && kind !== 'docker' && kind !== 'remote') {
    throw new UsageError(`--backend must be local, docker or remote, got \`${kind}\``);
  }
  const nodes = String(values.nodes ?? env.LAB_NODES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (kind === 'remote' && nodes.length === 0) {
    throw new UsageError('--backend remote needs --nodes http://host:port,... (the nodes you already run)');
  }
  return {
    kind,
    size: intFlag(values.size as string | undefined, '--size', 5, 1, 9),
    basePort: intFlag(
      (values['base-port'] as string | undefined) ?? env.LAB_BASE_PORT,
      '--base-port',
      5001,
      1024,
      65000,
    ),
    dataRoot: String(values.data ?? defaultDataRoot),
    nodeOutput: values['node-output'] === true,
    nodes,
    adminToken: (values['admin-token'] as string | undefined) ?? env.LAB_ADMIN_TOKEN,
  };
}
