// Node configuration from environment variables (server/node/config.ts).

import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig, parsePeers } from '../../server/node/config.ts';

/** The peers parsePeers should return, written `id=url`. */
const peers = (...entries: string[]) =>
  entries.map((e) => ({ id: e.slice(0, e.indexOf('=')), url: e.slice(e.indexOf('=') + 1) }));

describe('PEERS', () => {
  it('takes ids from id=host:port entries', () => {
    expect(parsePeers('2=node2:5000, 3=10.0.0.3:5000', '1', 5000)).toEqual(
      peers('2=http://node2:5000', '3=http://10.0.0.3:5000'),
    );
  });

  it('reads the id N from a host named nodeN (the seed style) and drops this node itself', () => {
    expect(parsePeers('node1:5000,node2:5000,node3:5000', '2', 5000)).toEqual(
      peers('1=http://node1:5000', '3=http://node3:5000'),
    );
  });

  it('numbers plain host:port entries 1..N in listed order, skipping NODE_ID', () => {
    // The seed's README example for node 1.
    expect(parsePeers('localhost:5002,localhost:5003', '1', 5001)).toEqual(
      peers('2=http://localhost:5002', '3=http://localhost:5003'),
    );
    expect(parsePeers('localhost:5001,localhost:5003', '2', 5002)).toEqual(
      peers('1=http://localhost:5001', '3=http://localhost:5003'),
    );
  });

  it("drops a loopback entry with this node's own port", () => {
    expect(parsePeers('127.0.0.1:5001,127.0.0.1:5002', '1', 5001)).toEqual(peers('2=http://127.0.0.1:5002'));
  });

  it('rejects entries without a port and duplicate ids, naming the entry', () => {
    expect(() => parsePeers('node2', '1', 5000)).toThrow(/PEERS entry 'node2' must be host:port/);
    expect(() => parsePeers('2=a:1,2=b:2', '1', 5000)).toThrow(/id 2 appears twice/);
    expect(() => parsePeers('x y=a:1', '1', 5000)).toThrow(ConfigError);
  });
});

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ NODE_ID: '3' }, '/srv');
    expect(c).toMatchObject({
      id: '3',
      port: 5000,
      peers: [],
      advertiseUrl: 'http://localhost:5000',
      dataDir: '/srv/data/node-3',
      heartbeatMs: DEFAULTS.heartbeatMs,
      electionTimeoutMinMs: DEFAULTS.electionTimeoutMinMs,
      electionTimeoutMaxMs: DEFAULTS.electionTimeoutMaxMs,
      adminToken: null,
      exitWhenStdinCloses: false,
      noopOnElection: true,
    });
  });

  it('explains what is wrong with a bad value', () => {
    expect(() => loadConfig({})).toThrow('NODE_ID is required');
    expect(() => loadConfig({ NODE_ID: '1', PORT: 'abc' })).toThrow(
      "PORT must be an integer from 1 to 65535, got 'abc'",
    );
    expect(() => loadConfig({ NODE_ID: '1', HEARTBEAT_MS: '500' })).toThrow(
      /HEARTBEAT_MS \(500\) must be well below/,
    );
    expect(() =>
      loadConfig({ NODE_ID: '1', ELECTION_TIMEOUT_MIN_MS: '400', ELECTION_TIMEOUT_MAX_MS: '300' }),
    ).toThrow(/ELECTION_TIMEOUT_MAX_MS \(300\) must be >= ELECTION_TIMEOUT_MIN_MS \(400\)/);
    expect(() => loadConfig({ NODE_ID: '1', ADVERTISE_URL: 'ftp://x' })).toThrow(
      /ADVERTISE_URL must be an http/,
    );
    expect(() => loadConfig({ NODE_ID: '1', NOOP_ON_ELECTION: 'no' })).toThrow(
      "NOOP_ON_ELECTION must be 1 (on) or 0 (off), got 'no'",
    );
  });

  it('reads every variable', () => {
    const c = loadConfig({
      NODE_ID: '2',
      PORT: '5002',
      PEERS: '1=a:5001,3=b:5003',
      ADVERTISE_URL: 'http://localhost:5002/',
      DATA_DIR: '/tmp/x',
      HEARTBEAT_MS: '20',
      ELECTION_TIMEOUT_MIN_MS: '100',
      ELECTION_TIMEOUT_MAX_MS: '200',
      ADMIN_TOKEN: 's3cret',
      COMMAND_TIMEOUT_MS: '1000',
      EXIT_WHEN_STDIN_CLOSES: '1',
      NOOP_ON_ELECTION: '0',
    });
    expect(c).toMatchObject({
      port: 5002,
      advertiseUrl: 'http://localhost:5002',
      dataDir: '/tmp/x',
      heartbeatMs: 20,
      tickMs: 10,
      electionTimeoutMinMs: 100,
      electionTimeoutMaxMs: 200,
      adminToken: 's3cret',
      commandTimeoutMs: 1000,
      exitWhenStdinCloses: true,
      noopOnElection: false,
    });
    expect(c.peers.map((p) => p.id)).toEqual(['1', '3']);
  });
});
