// Picks and builds the cluster backend the lab was started with (--backend local|docker|remote).
import type { ClusterBackend } from './backend.ts';
import { LocalBackend } from './local-backend.ts';
import { RemoteBackend } from './remote-backend.ts';

export interface BackendChoice {
  kind: 'local' | 'docker' | 'remote';
  /** local: how many nodes, their first port, where their data lives. */
  size: number;
  basePort: number;
  dataRoot: string;
  /** local: copy node output to ours, prefixed "[node3]". */
  nodeOutput: boolean;
  /** local: wipe the nodes' data before starting (a fresh cluster). */
  fresh?: boolean;
  /** remote: node URLs; remote/docker: the nodes' ADMIN_TOKEN. */
  nodes: string[];
  adminToken?: string;
}

export async function createBackend(choice: BackendChoice): Promise<ClusterBackend> {
  switch (choice.kind) {
    case 'local':
      return new LocalBackend({
        size: choice.size,
        basePort: choice.basePort,
        dataRoot: choice.dataRoot,
        output: choice.nodeOutput ? 'prefix' : 'ignore',
        fresh: choice.fresh,
      });
    case 'remote':
      return new RemoteBackend({ nodes: choice.nodes, adminToken: choice.adminToken });
    case 'docker': {
      // Loaded only when asked for, so the other backends never touch Docker.
      const { DockerBackend } = await import('./docker-backend.ts');
      return DockerBackend.open({ adminToken: choice.adminToken });
    }
  }
}
