// Wires the lab's HTTP side together: the JSON API, the live channel and the web app on one port.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { WebSocketServer } from 'ws';
import { exposureWarning } from '../../http/exposure-warning.ts';
import { createLimitedServer, DEFAULT_SERVER_LIMITS, type ServerLimits } from '../../http/server-limits.ts';
import type { LessonLibrary } from '../lesson-library.ts';
import { attachLiveChannel, LIVE_PATH } from '../live/live-channel.ts';
import type { ClusterSession } from '../session/cluster-session.ts';
import { apiRouter, labFallbacks } from './api.ts';
import { DEFAULT_RUN_RATE, RunRate, type RunRateLimits } from './run-rate.ts';
import { securityHeaders } from './security-headers.ts';
import { serveWebApp, webAppPolicy } from './web-app.ts';

export interface LabServerOptions {
  host: string;
  port: number;
  /** The repository root (web/ lives under it). */
  root: string;
  dev: boolean;
  /** Slow-client and connection limits (default DEFAULT_SERVER_LIMITS, as a node's). */
  limits?: ServerLimits;
  /** Runs and actions per client address (default DEFAULT_RUN_RATE). */
  runRate?: RunRateLimits;
}

export interface LabServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startLabServer(
  library: LessonLibrary,
  session: ClusterSession,
  options: LabServerOptions,
): Promise<LabServer> {
  const app = express();
  app.disable('x-powered-by');
  // A slow or half-sent request, or a flood of connections, must not hold the lab's sockets.
  const server = createLimitedServer(app, options.limits ?? DEFAULT_SERVER_LIMITS);
  app.use(securityHeaders(webAppPolicy(options)));
  app.use('/api', apiRouter(library, session, new RunRate(options.runRate ?? DEFAULT_RUN_RATE)));
  await serveWebApp(app, server, options);
  app.use(labFallbacks);
  const wss = attachLiveChannel(server, session);
  if (!options.dev) {
    // Nothing else upgrades to WebSocket here: close such sockets instead of leaving them hanging.
    server.on('upgrade', (req, socket) => {
      if (new URL(req.url ?? '/', 'http://lab').pathname !== LIVE_PATH) socket.destroy();
    });
  }

  return listenLab(server, wss, options);
}

/** Listens on host:port (an error naming the port when it is taken); close() ends every connection. */
export async function listenLab(
  server: Server,
  wss: WebSocketServer,
  options: { host: string; port: number },
): Promise<LabServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port} on ${options.host} is in use: stop what uses it or start the lab with --port N`,
            )
          : e,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const exposed = exposureWarning('the lab', options.host);
  if (exposed) console.warn(exposed);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
