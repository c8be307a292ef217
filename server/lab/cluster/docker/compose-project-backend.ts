// Classroom mode's `--backend docker`: one learner's cluster as a compose project of its own.
// start() makes the project (compose-project.ts) and opens a DockerBackend on it, which then does
// every fault through the engine (kill = SIGKILL, pause = freezer, partition = networks); stop()
// — the pool's idle reaping and the lab's shutdown — removes the project's containers, volumes
// and networks, as the swarm backend removes a stack. The next start() is a fresh cluster.
import type Docker from 'dockerode';
import { ALL_FAULTS, type ClusterNode, type Fault } from '../../../contract/cluster-view.ts';
import { MEMBERSHIP_FAULTS } from '../../../contract/fault-words.ts';
import type { SwitchesBody } from '../../../contract/raft-switches.ts';
import type { ClusterBackend } from '../backend.ts';
import { DockerBackend } from '../docker-backend.ts';
import type { NetworkControl } from '../network-control.ts';
import {
  type ComposeProjectSpec,
  createComposeProject,
  PROJECT_SIZE,
  publishedNodeUrl,
  removeComposeProjects,
} from './compose-project.ts';

export interface ComposeProjectBackendOptions extends ComposeProjectSpec {
  docker: Docker;
  socketPath: string;
  /** How long the nodes may take to answer after their containers started (ms). */
  readyTimeoutMs: number;
}

export class ComposeProjectBackend implements ClusterBackend {
  readonly kind = 'docker' as const;
  /** DockerBackend's faults: all but membership changes (the project has its five nodes). */
  readonly faults: readonly Fault[] = ALL_FAULTS.filter(
    (f) => !(MEMBERSHIP_FAULTS as readonly string[]).includes(f),
  );
  /** stop() removes the project's volumes: the next start() is a new cluster. */
  readonly freshAfterStop = true;
  /** The backend of the running project; null while it is not made. */
  private inner: DockerBackend | null = null;

  constructor(private readonly o: ComposeProjectBackendOptions) {}

  /** As discovery.ts will name them once the project runs (the lab records them before). */
  nodes(): ClusterNode[] {
    if (this.inner) return this.inner.nodes();
    return Array.from({ length: PROJECT_SIZE }, (_, i) => {
      const url = publishedNodeUrl(this.o, i + 1);
      return { id: String(i + 1), name: `node${i + 1}`, url, aliases: [`http://node${i + 1}:5000`] };
    });
  }

  get network(): NetworkControl | null {
    return this.inner?.network ?? null;
  }

  async start(): Promise<void> {
    if (this.inner) return this.inner.start();
    await createComposeProject(this.o.docker, this.o);
    const inner = await DockerBackend.open({
      socketPath: this.o.socketPath,
      composeProject: this.o.project,
      reach: 'published',
      adminToken: this.o.adminToken,
      readyTimeoutMs: this.o.readyTimeoutMs,
    });
    this.inner = inner;
    await inner.start();
  }

  /** Removes the project (safe to call twice, and when start() failed half-way). */
  async stop(): Promise<void> {
    const inner = this.inner;
    this.inner = null;
    await inner?.stop().catch(() => {});
    await removeComposeProjects(this.o.docker, { project: this.o.project });
  }

  private get running(): DockerBackend {
    if (!this.inner)
      throw new Error(
        `the cluster (compose project ${this.o.project}) is not running: run any cell to start it again`,
      );
    return this.inner;
  }

  kill = (id: string) => this.running.kill(id);
  restart = (id: string) => this.running.restart(id);
  pause = (id: string) => this.running.pause(id);
  resume = (id: string) => this.running.resume(id);
  partition = (groups: string[][]) => this.running.partition(groups);
  heal = () => this.running.heal();
  speed = (factor: number) => this.running.speed(factor);
  noop = (enabled: boolean) => this.running.noop(enabled);
  switches = (change: SwitchesBody) => this.running.switches(change);
  transferLeadership = (from: string, to: string) => this.running.transferLeadership(from, to);
  reset = () => this.running.reset();
  snapshotEvery = (entries: number) => this.running.snapshotEvery(entries);
  wipe = (id: string) => this.running.wipe(id);
  addNode = (id: string) => this.running.addNode(id);
  promote = (id: string) => this.running.promote(id);
  removeNode = (id: string) => this.running.removeNode(id);

  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] } {
    return this.inner?.nodeState(id) ?? { up: false, paused: false, partitionedFrom: [] };
  }
}
