// N Raft node processes on this machine: the cluster behind `npm run cluster`, the
// integration tests and the lab's `local` backend. Each node is `node <bundle>` (the node
// built into one file, node-bundle.ts; or `node --import tsx server/node/main.ts` with
// `fromSource`) with its own port and data directory.
//
// Nodes must never outlive the process that started them, even when frozen:
// - each gets a stdin pipe and EXIT_WHEN_STDIN_CLOSES=1, so a running node exits when we die;
// - each runs in its own process group (same session), so if we die while a node is
//   SIGSTOPped the kernel's orphaned-process-group rule sends it SIGHUP+SIGCONT and it dies.
//   Node cannot setpgid() a child itself, so a one-line perl exec does it when perl exists.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_MAIN, nodeBundle } from './node-bundle.ts';
import { fetchStatus, type NodeStatus } from './node-status.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PERL = ['/usr/bin/perl', '/bin/perl', '/usr/local/bin/perl'].find((p) => existsSync(p)) ?? null;
const SETPGID_EXEC = 'setpgrp(0,0); exec {$ARGV[0]} @ARGV or die "cannot start $ARGV[0]: $!\\n"';

/**
 * How long a starting node may take to answer /status. Generous: on a busy 2-core machine (load
 * average 30–45, several test suites at once) tsx start-up alone was measured above 20 s.
 */
const START_TIMEOUT_MS = 60_000;

export interface LocalClusterOptions {
  size?: number;
  basePort?: number;
  /** Node i keeps its data in <dataRoot>/node-i. */
  dataRoot: string;
  adminToken?: string;
  host?: string;
  heartbeatMs?: number;
  electionTimeoutMinMs?: number;
  electionTimeoutMaxMs?: number;
  /** Any other environment for every node (e.g. COMMAND_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** Environment for one node, by id, over `env` (e.g. a SNAPSHOT_ENTRIES of its own). */
  nodeEnv?: (id: string) => Record<string, string>;
  /** 'prefix': copy node output to ours as "[node3] ..."; 'ignore' (default) keeps only the last lines for errors. */
  output?: 'prefix' | 'ignore';
  /** Extra Node flags for every node, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeFlags?: string[];
  /** Run server/node/main.ts through tsx instead of the bundle (node-bundle.ts): CPU profiles then name source files. */
  fromSource?: boolean;
  /** Also append every line each node prints to <logDir>/node-<id>.log (kept across restarts). */
  logDir?: string;
}

export interface LocalNodeInfo {
  id: string;
  name: string;
  url: string;
  pid: number | null;
  up: boolean;
  paused: boolean;
  /**
   * Its process runs as a member of the first cluster: one of the first `size` ids, PEERS the
   * others of them, no JOINING. Only such a node becomes a fresh member of that cluster by
   * resetting itself in place (/admin/reset); any other must be started again.
   */
  bootstrap: boolean;
}

export type { NodeStatus };

interface Member {
  id: string;
  port: number;
  url: string;
  dataDir: string;
  child: ChildProcess | null;
  exited: Promise<void>;
  paused: boolean;
  recent: string[];
  /** Environment for this node only (e.g. JOINING=1 for a server added to a running cluster). */
  env: Record<string, string>;
  /** The running process was started as a member of the first cluster (LocalNodeInfo.bootstrap). */
  bootstrap: boolean;
}

export class LocalCluster {
  private readonly members: Member[];
  private readonly opts: Required<Pick<LocalClusterOptions, 'size' | 'basePort' | 'host'>> &
    LocalClusterOptions;

  constructor(options: LocalClusterOptions) {
    const size = options.size ?? 5;
    if (!Number.isInteger(size) || size < 1 || size > 99) throw new Error(`size must be 1-99, got ${size}`);
    this.opts = { ...options, size, basePort: options.basePort ?? 5001, host: options.host ?? '127.0.0.1' };
    this.members = Array.from({ length: size }, (_, i) => this.memberFor(i + 1, {}));
  }

  private memberFor(n: number, env: Record<string, string>): Member {
    const port = this.opts.basePort + n - 1;
    return {
      id: String(n),
      port,
      url: `http://${this.opts.host}:${port}`,
      dataDir: path.resolve(this.opts.dataRoot, `node-${n}`),
      child: null,
      exited: Promise.resolve(),
      paused: false,
      recent: [],
      env,
      bootstrap: false,
    };
  }

  /**
   * Dissertation §4.2.1: a new server (the next id, on the next port) for a running cluster. It
   * is not running yet; `startNode` starts it empty with JOINING=1, and the leader then adds it
   * as a learner (POST /admin/add_learner) and promotes it. `id`: a number not in use (default
   * the next one), e.g. that of a server removed before. Returns its id.
   */
  addMember(id?: string): string {
    const n = id === undefined ? Math.max(0, ...this.members.map((m) => Number(m.id))) + 1 : Number(id);
    if (!Number.isInteger(n) || n < 1 || n > 99)
      throw new Error(`a local node's id is a number from 1 to 99, got ${id}`);
    if (this.members.some((m) => m.id === String(n))) throw new Error(`node${n} is already in this cluster`);
    this.members.push(this.memberFor(n, { JOINING: '1' }));
    this.members.sort((a, b) => Number(a.id) - Number(b.id));
    return String(n);
  }

  /**
   * Forgets a node the configuration no longer holds (§4.1): stops it if it runs and deletes its
   * data, so a later addMember may reuse nothing of it. The leader must have removed it first.
   */
  async dropMember(id: string): Promise<void> {
    const m = this.member(id);
    await this.kill(id);
    this.members.splice(this.members.indexOf(m), 1);
    await fs.rm(m.dataDir, { recursive: true, force: true });
  }

  /**
   * Starts one node that is not running. `joining`: it comes back as a new, empty server
   * (JOINING=1, for one whose disk was lost: after its removal, before add_learner), kept for
   * its later restarts.
   */
  async startNode(id: string, opts: { joining?: boolean } = {}, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const m = this.member(id);
    if (m.child) throw new Error(`node${id} is already running`);
    if (opts.joining) m.env = { ...m.env, JOINING: '1' };
    await assertPortFree(this.opts.host, m.port, `node${m.id}`);
    this.spawn(m, await this.entry());
    await this.waitUp(m, timeoutMs);
  }

  /**
   * Deletes one stopped node's data directory: its disk is lost. It must not come back as
   * itself (it would have forgotten its vote and its log): remove it from the configuration,
   * then `startNode(id, {joining: true})`, add it as a learner and promote it.
   */
  async wipeNode(id: string): Promise<void> {
    const m = this.member(id);
    if (m.child) throw new Error(`stop node${id} before wiping its data`);
    await fs.rm(m.dataDir, { recursive: true, force: true });
  }

  nodes(): LocalNodeInfo[] {
    return this.members.map((m) => ({
      id: m.id,
      name: `node${m.id}`,
      url: m.url,
      pid: m.child?.pid ?? null,
      up: m.child !== null,
      paused: m.paused,
      bootstrap: m.child !== null && m.bootstrap,
    }));
  }

  url(id: string): string {
    return this.member(id).url;
  }

  dataDir(id: string): string {
    return this.member(id).dataDir;
  }

  /**
   * Starts every node that is not running; resolves when all of them answer /status. The default
   * wait is long because a loaded machine can take 20 s and more to start a tsx process; a node
   * that exits or refuses still fails at once.
   */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const started = this.members.filter((m) => m.child === null);
    // A leftover node of another cluster on our port would answer in its place: refuse early.
    await Promise.all(started.map((m) => assertPortFree(this.opts.host, m.port, `node${m.id}`)));
    const entry = await this.entry();
    for (const m of started) this.spawn(m, entry);
    await Promise.all(started.map((m) => this.waitUp(m, timeoutMs)));
  }

  /** Stops every node (SIGTERM, then SIGKILL after 3 s) and waits until all have exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        const child = m.child;
        if (!child) return;
        child.kill('SIGTERM');
        if (m.paused) child.kill('SIGCONT'); // a stopped process acts on SIGTERM only once continued
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await m.exited;
        clearTimeout(t);
      }),
    );
  }

  /** Kills a node abruptly (SIGKILL): it loses everything not on disk. */
  async kill(id: string): Promise<void> {
    const m = this.member(id);
    if (!m.child) return;
    m.child.kill('SIGKILL');
    await m.exited;
  }

  /** Starts a node again on the same data directory (killing it first if it runs). */
  async restart(id: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const m = this.member(id);
    await this.kill(id);
    this.spawn(m, await this.entry());
    await this.waitUp(m, timeoutMs);
  }

  /** Freezes a node's process (SIGSTOP), as a hung machine would be. */
  pause(id: string): void {
    const m = this.member(id);
    if (!m.child) throw new Error(`node${id} is not running; start it before pausing it`);
    m.child.kill('SIGSTOP');
    m.paused = true;
  }

  resume(id: string): void {
    const m = this.member(id);
    if (!m.child) throw new Error(`node${id} is not running`);
    m.child.kill('SIGCONT');
    m.paused = false;
  }

  /** Deletes the data directories of the nodes `ids` (default: all); those nodes must be stopped. */
  async wipe(ids: readonly string[] = this.members.map((m) => m.id)): Promise<void> {
    const members = this.members.filter((m) => ids.includes(m.id));
    const running = members.filter((m) => m.child !== null).map((m) => `node${m.id}`);
    if (running.length > 0) throw new Error(`stop ${running.join(', ')} before wiping their data`);
    await Promise.all(members.map((m) => fs.rm(m.dataDir, { recursive: true, force: true })));
  }

  /** The ids of the first cluster: 1 to `size`. */
  bootstrapIds(): string[] {
    return Array.from({ length: this.opts.size }, (_, i) => String(i + 1));
  }

  /**
   * Back to the first `size` nodes, none of them joining: removed ones come back (not running),
   * extra ones are forgotten (they must be stopped). Running members keep their process.
   */
  resetMembers(): void {
    const extra = this.members.filter((m) => m.child !== null && Number(m.id) > this.opts.size);
    if (extra.length > 0) throw new Error(`stop node${extra[0]!.id} before resetting the members`);
    const kept = this.bootstrapIds().map((id) => {
      const m = this.members.find((x) => x.id === id) ?? this.memberFor(Number(id), {});
      m.env = {};
      return m;
    });
    this.members.splice(0, this.members.length, ...kept);
  }

  /** Every node's /status (null for a node that is down or does not answer within timeoutMs). */
  async statuses(timeoutMs = 1000): Promise<(NodeStatus | null)[]> {
    return Promise.all(
      this.members.map(async (m) => {
        if (!m.child || m.paused) return null;
        const r = await fetchStatus(m.url, timeoutMs);
        return 'status' in r ? r.status : null;
      }),
    );
  }

  /** Polls statuses until `predicate` returns something truthy; rejects after timeoutMs. */
  async waitFor<T>(
    predicate: (statuses: (NodeStatus | null)[]) => T | null | undefined | false,
    timeoutMs: number,
    what = 'the cluster to reach the expected state',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: (NodeStatus | null)[] = [];
    for (;;) {
      last = await this.statuses(Math.min(1000, Math.max(50, deadline - Date.now())));
      const v = predicate(last);
      if (v) return v;
      if (Date.now() >= deadline) {
        const seen = last
          .map((s, i) => `node${this.members[i]?.id}:${s ? `${s.state}/t${s.term}` : 'down'}`)
          .join(' ');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen ${seen}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * The node that says it is leader in the highest term among leaders, once there is one. It may be
   * a deposed leader that has not yet heard of a newer term (a lone candidate's, say); when the
   * cluster is whole and that matters, use `waitForUndisputedLeader`.
   */
  async waitForLeader(timeoutMs = 5000): Promise<NodeStatus> {
    return this.waitFor(
      (ss) => {
        const leaders = ss.filter((s): s is NodeStatus => s?.state === 'leader');
        if (leaders.length === 0) return null;
        return leaders.reduce((a, b) => (b.term > a.term ? b : a));
      },
      timeoutMs,
      'a leader',
    );
  }

  /**
   * The leader of the highest term any answering node knows (§5.1: a higher term deposes every
   * older leader). Only for a whole cluster: a node cut off with PreVote off raises its term alone
   * and no leader can catch up with it until it is reconnected.
   */
  async waitForUndisputedLeader(timeoutMs = 5000): Promise<NodeStatus> {
    return this.waitFor(
      (ss) => {
        const known = ss.filter((s): s is NodeStatus => s !== null);
        const top = Math.max(0, ...known.map((s) => s.term));
        return known.find((s) => s.state === 'leader' && s.term === top) ?? null;
      },
      timeoutMs,
      'a leader of the highest term any node knows',
    );
  }

  private member(id: string): Member {
    const m = this.members.find((x) => x.id === String(id));
    if (!m)
      throw new Error(`no node ${id} in this cluster (ids ${this.members.map((x) => x.id).join(', ')})`);
    return m;
  }

  /** What `node` runs: the bundle's path, or tsx's loader and the main source file. */
  private async entry(): Promise<string[]> {
    return this.opts.fromSource ? ['--import', 'tsx', NODE_MAIN] : [await nodeBundle()];
  }

  private spawn(m: Member, entry: string[]): void {
    const o = this.opts;
    const others = this.members.filter((p) => p !== m);
    const peers = others.map((p) => `${p.id}=${o.host}:${p.port}`);
    const first = this.bootstrapIds();
    m.bootstrap =
      first.includes(m.id) &&
      m.env.JOINING === undefined &&
      others.length === first.length - 1 &&
      others.every((p) => first.includes(p.id));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ID: m.id,
      PORT: String(m.port),
      HOST: o.host,
      PEERS: peers.join(','),
      ADVERTISE_URL: m.url,
      DATA_DIR: m.dataDir,
      EXIT_WHEN_STDIN_CLOSES: '1',
      ...(o.heartbeatMs !== undefined ? { HEARTBEAT_MS: String(o.heartbeatMs) } : {}),
      ...(o.electionTimeoutMinMs !== undefined
        ? { ELECTION_TIMEOUT_MIN_MS: String(o.electionTimeoutMinMs) }
        : {}),
      ...(o.electionTimeoutMaxMs !== undefined
        ? { ELECTION_TIMEOUT_MAX_MS: String(o.electionTimeoutMaxMs) }
        : {}),
      ...(o.env ?? {}),
      ...(o.nodeEnv?.(m.id) ?? {}),
      ...m.env,
    };
    if (o.adminToken !== undefined) env.ADMIN_TOKEN = o.adminToken;
    else delete env.ADMIN_TOKEN;
    const nodeArgv = [process.execPath, ...(o.nodeFlags ?? []), ...entry];
    const [cmd, args] = PERL
      ? [PERL, ['-e', SETPGID_EXEC, '--', ...nodeArgv]]
      : [nodeArgv[0]!, nodeArgv.slice(1)];
    // cwd = repo root so `--import tsx` resolves from this project whatever our cwd is.
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    m.child = child;
    m.paused = false;
    m.recent = [];
    m.exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (m.child === child) {
          m.child = null;
          m.paused = false;
        }
        resolve();
      });
    });
    child.on('error', (e) => m.recent.push(`spawn failed: ${e.message}`));
    child.stdin?.on('error', () => {}); // EPIPE once the node is gone
    const logFile = o.logDir
      ? createWriteStream(path.join(o.logDir, `node-${m.id}.log`), { flags: 'a' })
      : null;
    logFile?.write(`${new Date().toISOString()} --- started (pid ${child.pid})\n`);
    // 'close' comes after the last output was read, unlike 'exit'.
    child.once('close', (code, signal) => {
      logFile?.end(`${new Date().toISOString()} --- exited (${signal ?? `code ${code}`})\n`);
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          logFile?.write(`${new Date().toISOString()} ${line}\n`);
          m.recent.push(line);
          if (m.recent.length > 40) m.recent.shift();
          // The node prefixes its own lines with "[node N]"; keep one prefix.
          if (o.output === 'prefix')
            process.stdout.write(`[node${m.id}] ${line.replace(/^\[node [^\]]*\] /, '')}\n`);
        }
      });
    }
  }

  private async waitUp(m: Member, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const child = m.child;
    for (;;) {
      if (m.child !== child || child === null) {
        throw new Error(`node${m.id} exited while starting:\n${m.recent.slice(-10).join('\n')}`);
      }
      const r = await fetchStatus(m.url, 500);
      // Another program on our port would answer too: make sure it is this node.
      if ('status' in r && r.status.node_id === m.id) return;
      if (Date.now() > deadline) {
        const last = 'error' in r ? r.error : `it says it is node ${r.status.node_id}`;
        throw new Error(
          `node${m.id} did not answer ${m.url}/status within ${timeoutMs} ms (last: ${last}):\n${m.recent.slice(-10).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}

/** Resolves if nothing listens on host:port; otherwise says who should stop what. */
function assertPortFree(host: string, port: number, forWhat: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${port} on ${host} (for ${forWhat}) is already in use: stop the cluster or lab that uses it, or pick other ports (e.g. --base-port)`
            : `cannot check port ${port} on ${host} for ${forWhat}: ${e.message}`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
