// The browser's live channel: ws://host/api/live. A new client gets `hello` (the whole picture),
// then every message as it happens. A reconnecting client sends {"type":"resume","seq":N}
// (or connects to /api/live?resume=N) and gets every buffered message after N instead.
import type { IncomingMessage, Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { LiveClientMessageSchema, type LiveMessage, type LiveServerMessage } from '../../contract/live.ts';
import { parseWire } from '../../contract/wire-check.ts';
import type { ClusterSession } from '../session/cluster-session.ts';

/** How long a new connection may take to say `resume` before it is treated as a fresh client. */
const RESUME_GRACE_MS = 150;
/** A client this far behind (bytes queued) is dropped; it reconnects and resumes or starts afresh. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export const LIVE_PATH = '/api/live';

/**
 * Which session a connection follows: one session for the whole lab, or (classroom mode) one
 * chosen per request — `{refused}` closes the connection (code 4401, the reason says why).
 */
export type SessionFor =
  | ClusterSession
  | ((req: IncomingMessage) => Promise<ClusterSession | { refused: string }>);

export function attachLiveChannel(server: Server, sessionFor: SessionFor): WebSocketServer {
  // noServer: other upgrades on this port (Vite's hot reload in --dev) must be left alone.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const chosen = new WeakMap<IncomingMessage, ClusterSession>();
  wss.on('connection', (ws, req: IncomingMessage) => {
    const session = chosen.get(req) ?? (sessionFor as ClusterSession);
    serve(ws, req, session);
  });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://lab').pathname !== LIVE_PATH) return;
    if (typeof sessionFor !== 'function') {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return;
    }
    // Chosen before the upgrade completes, so no message of the client can arrive unheard.
    sessionFor(req).then(
      (session) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          if ('refused' in session) ws.close(4401, session.refused.slice(0, 120));
          else {
            chosen.set(req, session);
            wss.emit('connection', ws, req);
          }
        }),
      () => socket.destroy(),
    );
  });
  return wss;
}

function resumeFromUrl(req: IncomingMessage): number | null {
  const raw = new URL(req.url ?? '/', 'http://lab').searchParams.get('resume');
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
}

function serve(ws: WebSocket, req: IncomingMessage, session: ClusterSession): void {
  let started = false;
  let unsubscribe: (() => void) | null = null;

  const send = (message: LiveServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, 'too far behind; reconnect and resume');
      return;
    }
    ws.send(JSON.stringify(message));
  };

  /** Replays what the client missed (or says hello), then follows the live stream; no gap, no repeat. */
  const begin = async (resumeFrom: number | null) => {
    if (started) return;
    started = true;
    const missed = resumeFrom === null ? null : session.hub.since(resumeFrom);
    if (missed) {
      for (const m of missed) send(m);
      let last = missed.at(-1)?.seq ?? resumeFrom!;
      unsubscribe = session.hub.subscribe((m: LiveMessage) => {
        if (m.seq > last) {
          last = m.seq;
          send(m);
        }
      });
      return;
    }
    // Queue live messages while the hello's snapshot is being taken, then send them after it.
    const queued: LiveMessage[] = [];
    let ready = false;
    unsubscribe = session.hub.subscribe((m) => (ready ? send(m) : queued.push(m)));
    const hello = await session.hello();
    send({ ...hello, resumed: resumeFrom === null ? undefined : false });
    for (const m of queued) if (m.seq > hello.seq) send(m);
    ready = true;
  };

  ws.on('message', (data) => {
    let raw: unknown;
    try {
      raw = JSON.parse(String(data));
    } catch {
      send({ type: 'error', error: 'bad_json', detail: 'send JSON such as {"type":"resume","seq":42}' });
      return;
    }
    const c = parseWire(LiveClientMessageSchema, raw);
    if (!c.ok) {
      send({ type: 'error', error: 'unknown_message', detail: c.detail });
      return;
    }
    if (c.value.type === 'ping') {
      send({ type: 'pong' });
    } else if (started) {
      send({ type: 'error', error: 'too_late', detail: 'send resume as the first message after connecting' });
    } else {
      start(c.value.seq);
    }
  });
  ws.on('close', () => unsubscribe?.());
  ws.on('error', () => unsubscribe?.());

  const start = (resumeFrom: number | null) =>
    void begin(resumeFrom).catch((e) => {
      console.error('live channel:', e);
      ws.close(1011, 'the lab could not read the cluster');
    });
  const fromUrl = resumeFromUrl(req);
  if (fromUrl !== null) start(fromUrl);
  else setTimeout(() => start(null), RESUME_GRACE_MS);
}
