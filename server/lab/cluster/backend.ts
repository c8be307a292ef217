// How the lab controls a cluster, whatever runs it: local processes, Docker containers,
// or nodes an instructor already runs (remote). The executor only ever talks to this.

export type BackendKind = 'local' | 'docker' | 'remote';

/** Every fault, in the order lessons meet them; `local` and `docker` offer all of them. */
export const ALL_FAULTS = [
  'kill',
  'restart',
  'pause',
  'resume',
  'partition',
  'heal',
  'speed',
  'noop',
  'reset',
] as const;

/** The faults a backend can inject; `remote` offers only the ones a node's /admin API provides. */
export type Fault = (typeof ALL_FAULTS)[number];

export interface ClusterNode {
  /** The node's NODE_ID, e.g. "3". */
  id: string;
  /** The name lessons use, e.g. "node3". */
  name: string;
  /** Where the lab reaches it, e.g. "http://127.0.0.1:5003". */
  url: string;
  /**
   * Other URLs that mean this node, e.g. its ADVERTISE_URL (what it puts in redirects and
   * leader_url) and its in-network address under Docker. The lab accepts them in cells and
   * redirects but always sends to `url`.
   */
  aliases?: string[];
}

export interface ClusterBackend {
  readonly kind: BackendKind;
  /** Which faults this backend can inject; the rest answer with an error naming the backend. */
  readonly faults: readonly Fault[];
  /** The members, in id order. Stable for the backend's lifetime. */
  nodes(): ClusterNode[];
  /** Bring every node up (idempotent). Resolves once every node answers /status. */
  start(): Promise<void>;
  /** Stop every node the backend started and release its resources. Safe to call twice. */
  stop(): Promise<void>;
  /** Stop a node abruptly, losing everything not on disk (SIGKILL / docker kill). */
  kill(id: string): Promise<void>;
  /** Start a killed node again on the same data directory / volume. */
  restart(id: string): Promise<void>;
  /** Freeze / thaw the whole node (SIGSTOP / docker pause, or the node's /admin/pause). */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Only nodes within the same group can talk to each other; nodes in no group are cut off from all. */
  partition(groups: string[][]): Promise<void>;
  /** Remove every partition. */
  heal(): Promise<void>;
  /** Timers run at this multiple of normal speed (0.1 = slow motion). */
  speed(factor: number): Promise<void>;
  /**
   * Whether a new leader appends §8's no-op (default on). Off only to show Figure 8 literally;
   * kept for nodes restarted or resumed later, and back on after `reset`.
   */
  noop(enabled: boolean): Promise<void>;
  /** A fresh cluster: every node stopped, its data wiped, started again. */
  reset(): Promise<void>;
  /** What the backend itself knows about a node (a process/container may be down or frozen). */
  nodeState(id: string): { up: boolean; paused: boolean; partitionedFrom: string[] };
}
