// A node's configuration, read from environment variables (docs/node-api.md has the table).
// Every bad value is reported with the variable's name, what was wrong and what to write instead.

import path from 'node:path';
import { READ_MODES, type ReadModeName } from '../contract/read-modes.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../http/server-limits.ts';

export interface PeerConfig {
  id: string;
  /** Base URL the node uses to reach the peer, e.g. "http://node3:5000". */
  url: string;
}

export interface NodeConfig {
  id: string;
  port: number;
  /** Address to listen on; all interfaces by default so Docker port mapping works. */
  host: string;
  peers: PeerConfig[];
  advertiseUrl: string;
  dataDir: string;
  /** The shell ticks the core every tickMs (scaled by the admin speed factor). */
  tickMs: number;
  heartbeatMs: number;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  /** How long /client_command waits for commit+apply before answering 503 timeout. */
  commandTimeoutMs: number;
  /** How long an RPC to a peer may take before the peer counts as unreachable. */
  rpcTimeoutMs: number;
  adminToken: string | null;
  exitWhenStdinCloses: boolean;
  /** §8: a new leader appends a no-op of its term (NOOP_ON_ELECTION=0 turns it off, for Figure 8). */
  noopOnElection: boolean;
  /** Slow-client timeouts and the connection cap of its HTTP server (server/http/server-limits.ts). */
  http: ServerLimits;
  /** Dissertation §9.6 (PRE_VOTE=0 turns it off); switchable at run time through /admin/switches. */
  preVote: boolean;
  /** Dissertation §6.2 and §4.2.3: CheckQuorum and leader stickiness (CHECK_QUORUM=0 turns them off). */
  checkQuorum: boolean;
  /** How `get` is answered (READ_MODE; server/contract/read-modes.ts). */
  readMode: ReadModeName;
}

/** Defaults measured on a busy 2-core machine: a leader within ~0.5 s, no spurious elections under load. */
export const DEFAULTS = {
  port: 5000,
  tickMs: 10,
  heartbeatMs: 50,
  electionTimeoutMinMs: 300,
  electionTimeoutMaxMs: 600,
  commandTimeoutMs: 3000,
  rpcTimeoutMs: 1000,
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

function flagVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (raw === '1') return true;
  if (raw === '0') return false;
  throw new ConfigError(`${name} must be 1 (on) or 0 (off), got '${env[name]}'`);
}

function readModeVar(env: Env): ReadModeName {
  const raw = (env.READ_MODE ?? '').trim();
  if (raw === '') return 'read_index';
  const mode = READ_MODES.find((m) => m === raw);
  if (mode === undefined)
    throw new ConfigError(`READ_MODE must be one of ${READ_MODES.join(', ')}, got '${raw}'`);
  return mode;
}

const ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * PEERS entries are `host:port` (as in the seed) or `id=host:port` (a scheme may precede host).
 * Ids for entries without `id=`: a host named `nodeN` has id N; otherwise the entry gets the
 * lowest of the ids 1..(entries+1) that is neither NODE_ID nor taken, in listed order.
 * An entry that names this node itself (same id, or same host:port as this node) is dropped,
 * so every node of a cluster can be given the same full list.
 */
export function parsePeers(raw: string, selfId: string, selfPort: number): PeerConfig[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const parsed = items.map((item) => {
    const eq = item.indexOf('=');
    const explicitId = eq >= 0 ? item.slice(0, eq).trim() : null;
    const addr = (eq >= 0 ? item.slice(eq + 1) : item).trim();
    if (explicitId !== null && !ID_RE.test(explicitId)) {
      throw new ConfigError(
        `PEERS entry '${item}': id '${explicitId}' must be 1-32 letters, digits, '-' or '_' (e.g. 2=node2:5000)`,
      );
    }
    const withScheme = /^https?:\/\//.test(addr) ? addr : `http://${addr}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new ConfigError(`PEERS entry '${item}' is not host:port (e.g. node2:5000 or 2=node2:5000)`);
    }
    if (url.port === '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      throw new ConfigError(
        `PEERS entry '${item}' must be host:port with an explicit port (e.g. node2:5000)`,
      );
    }
    const hostId = /^node(\d+)$/i.exec(url.hostname)?.[1] ?? null;
    return { item, explicitId, hostId, url: `${url.protocol}//${url.host}`, url0: url };
  });
  const isSelf = (p: (typeof parsed)[number]) => {
    if (p.explicitId !== null) return p.explicitId === selfId;
    if (p.hostId !== null) return p.hostId === selfId;
    const loop = ['localhost', '127.0.0.1', '[::1]'].includes(p.url0.hostname);
    return loop && Number(p.url0.port) === selfPort;
  };
  const kept = parsed.filter((p) => !isSelf(p));
  const taken = new Set<string>([selfId]);
  for (const p of kept) {
    const id = p.explicitId ?? p.hostId;
    if (id !== null) {
      if (taken.has(id))
        throw new ConfigError(`PEERS entry '${p.item}': id ${id} appears twice (NODE_ID=${selfId})`);
      taken.add(id);
    }
  }
  let next = 1;
  return kept.map((p) => {
    let id = p.explicitId ?? p.hostId;
    if (id === null) {
      while (taken.has(String(next))) next++;
      id = String(next);
      taken.add(id);
    }
    return { id, url: p.url };
  });
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): NodeConfig {
  const id = (env.NODE_ID ?? '').trim();
  if (id === '') throw new ConfigError('NODE_ID is required, e.g. NODE_ID=1 (the seed uses 1-5)');
  if (!ID_RE.test(id)) throw new ConfigError(`NODE_ID must be 1-32 letters, digits, '-' or '_', got '${id}'`);
  const port = intVar(env, 'PORT', DEFAULTS.port, 1, 65535);
  const peers = parsePeers(env.PEERS ?? '', id, port);
  const heartbeatMs = intVar(env, 'HEARTBEAT_MS', DEFAULTS.heartbeatMs, 1, 60_000);
  const electionTimeoutMinMs = intVar(
    env,
    'ELECTION_TIMEOUT_MIN_MS',
    DEFAULTS.electionTimeoutMinMs,
    2,
    600_000,
  );
  const electionTimeoutMaxMs = intVar(
    env,
    'ELECTION_TIMEOUT_MAX_MS',
    Math.max(DEFAULTS.electionTimeoutMaxMs, electionTimeoutMinMs),
    2,
    600_000,
  );
  if (electionTimeoutMaxMs < electionTimeoutMinMs) {
    throw new ConfigError(
      `ELECTION_TIMEOUT_MAX_MS (${electionTimeoutMaxMs}) must be >= ELECTION_TIMEOUT_MIN_MS (${electionTimeoutMinMs})`,
    );
  }
  // §5.6: broadcastTime << electionTimeout, or leaders cannot hold on to leadership.
  if (heartbeatMs >= electionTimeoutMinMs) {
    throw new ConfigError(
      `HEARTBEAT_MS (${heartbeatMs}) must be well below ELECTION_TIMEOUT_MIN_MS (${electionTimeoutMinMs}), e.g. a sixth of it`,
    );
  }
  const tickMs = intVar(env, 'TICK_MS', Math.min(DEFAULTS.tickMs, heartbeatMs), 1, heartbeatMs);
  let advertiseUrl = (env.ADVERTISE_URL ?? '').trim() || `http://localhost:${port}`;
  try {
    const u = new URL(advertiseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    advertiseUrl = advertiseUrl.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(
      `ADVERTISE_URL must be an http(s) URL such as http://localhost:5003, got '${advertiseUrl}'`,
    );
  }
  const token = env.ADMIN_TOKEN ?? '';
  return {
    id,
    port,
    host: (env.HOST ?? '').trim() || '0.0.0.0',
    peers,
    advertiseUrl,
    dataDir: path.resolve(cwd, (env.DATA_DIR ?? '').trim() || `./data/node-${id}`),
    tickMs,
    heartbeatMs,
    electionTimeoutMinMs,
    electionTimeoutMaxMs,
    commandTimeoutMs: intVar(env, 'COMMAND_TIMEOUT_MS', DEFAULTS.commandTimeoutMs, 1, 600_000),
    rpcTimeoutMs: intVar(env, 'RPC_TIMEOUT_MS', DEFAULTS.rpcTimeoutMs, 1, 600_000),
    adminToken: token === '' ? null : token,
    exitWhenStdinCloses: env.EXIT_WHEN_STDIN_CLOSES === '1',
    noopOnElection: flagVar(env, 'NOOP_ON_ELECTION', true),
    http: {
      headersTimeoutMs: intVar(
        env,
        'HTTP_HEADERS_TIMEOUT_MS',
        DEFAULT_SERVER_LIMITS.headersTimeoutMs,
        100,
        600_000,
      ),
      requestTimeoutMs: intVar(
        env,
        'HTTP_REQUEST_TIMEOUT_MS',
        DEFAULT_SERVER_LIMITS.requestTimeoutMs,
        100,
        600_000,
      ),
      maxConnections: intVar(env, 'HTTP_MAX_CONNECTIONS', DEFAULT_SERVER_LIMITS.maxConnections, 16, 100_000),
    },
    preVote: flagVar(env, 'PRE_VOTE', true),
    checkQuorum: flagVar(env, 'CHECK_QUORUM', true),
    readMode: readModeVar(env),
  };
}
