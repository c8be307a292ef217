// load.mjs --failover kills and restarts the leader with shell commands (--kill-cmd,
// --restart-cmd). Our nodes are children of the benchmark process (LocalCluster), so those
// commands call back into it over loopback HTTP: POST /kill/<index>, POST /restart/<index>.
// /kill answers `killed_at_ms=<epoch ms>` taken right after the SIGKILL, as etcd-cluster.sh's
// kill-leader does, so both systems' failover windows start at the same moment.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FailoverActions {
  /** SIGKILLs member `index` (0-based); resolves with the epoch ms right after the signal. */
  kill(index: number): Promise<number>;
  /** Starts member `index` again on its data; resolves once it answers. */
  restart(index: number): Promise<void>;
}

export interface FailoverControl {
  killCmd: string;
  restartCmd: string;
  close(): Promise<void>;
}

export async function startFailoverControl(actions: FailoverActions): Promise<FailoverControl> {
  const server = http.createServer((req, res) => {
    const m = /^\/(kill|restart)\/(\d+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      res.writeHead(404).end('use POST /kill/<index> or POST /restart/<index>\n');
      return;
    }
    const index = Number(m[2]);
    const done =
      m[1] === 'kill'
        ? actions.kill(index).then((at) => `killed=${index} killed_at_ms=${at}\n`)
        : actions.restart(index).then(() => `restarted=${index}\n`);
    done.then(
      (text) => res.writeHead(200).end(text),
      (e: Error) => res.writeHead(500).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    killCmd: `curl -sS -f -X POST ${url}/kill/$LEADER_INDEX`,
    restartCmd: `curl -sS -f -X POST ${url}/restart/$KILLED_INDEX`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
