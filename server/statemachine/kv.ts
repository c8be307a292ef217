// The replicated state machine: a key-value map that applies committed log entries in
// order. Deterministic, so every replica that applies the same log holds the same map.

import type { Entry } from '../raft/types.ts';
import { parseCommand } from './command.ts';
import { ClientSessions } from './sessions.ts';

export interface ApplyResult {
  /** `get`: the value; `set`/`delete`: the previous value; null when there was none (or for a no-op). */
  result: string | null;
  /** Set when the entry's command could not be parsed; the map is unchanged. */
  error?: string;
  /** True when this was a retry of an already applied request (§6.3): nothing changed. */
  duplicate?: boolean;
}

export class KvStateMachine {
  private readonly map = new Map<string, string>();
  private readonly sessions: ClientSessions;
  /** Index of the last entry applied, 0 before any. */
  appliedIndex = 0;

  constructor(sessions = new ClientSessions()) {
    this.sessions = sessions;
  }

  apply(entry: Entry): ApplyResult {
    this.appliedIndex = entry.index;
    if (entry.type === 'noop' || entry.command === null) return { result: null };
    const { client_id: clientId, request_id: requestId } = entry;
    const tracked = clientId !== undefined && requestId !== undefined;
    if (tracked) {
      const seen = this.sessions.lookup(clientId, requestId);
      if (seen) return { result: seen.result, duplicate: true };
    }
    const cmd = parseCommand(entry.command);
    if ('error' in cmd) return { result: null, error: cmd.error };
    let result: string | null;
    switch (cmd.op) {
      case 'get':
        result = this.map.get(cmd.key) ?? null;
        break;
      case 'set':
        result = this.map.get(cmd.key) ?? null;
        this.map.set(cmd.key, cmd.value);
        break;
      case 'delete':
        result = this.map.get(cmd.key) ?? null;
        this.map.delete(cmd.key);
        break;
    }
    if (tracked) this.sessions.record(clientId, requestId, result);
    return { result };
  }

  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  /** A copy of the whole map, keys in sorted order (for /status). */
  kv(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of [...this.map.keys()].sort()) out[key] = this.map.get(key)!;
    return out;
  }
}
