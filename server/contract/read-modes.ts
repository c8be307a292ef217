// How a node answers `get` (docs/node-api.md, "Reads"). Dependency-free, so the lesson parser
// (and with it the web app's editor) shares the list without a schema library.

/**
 * - `read_index` (default): dissertation §6.4 — the leader confirms it still leads with a
 *   heartbeat round, waits until it has applied up to its commit index, then answers. No log entry.
 * - `lease`: §6.4.1 — after a confirmed round the leader answers without another one for a
 *   while; safe only while the servers' clocks run at the same rate (needs check_quorum).
 * - `log`: the read is appended to the log and answered once applied (safe, slowest: the
 *   behaviour before ReadIndex, kept for comparison).
 * - `unsafe_local`: UNSAFE, for the lesson only — any node answers from its own state machine
 *   at once, whatever its role, so a deposed leader or a lagging follower answers stale values.
 */
export const READ_MODES = ['read_index', 'lease', 'log', 'unsafe_local'] as const;
export type ReadModeName = (typeof READ_MODES)[number];
