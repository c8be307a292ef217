// One HTTP request as a learner wrote it: sent only to a node, redirects followed hop by hop
// only when asked (each hop checked by the host guard and recorded), bodies capped.

import type { Hop, ReceivedResponse, SentRequest } from '../../contract/lab-api.ts';
import type { HostGuard } from './host-guard.ts';
import { requestSignal, stoppedBy } from './run-context.ts';
import { CellRunError } from './run-error.ts';

export const BODY_LIMIT_BYTES = 256 * 1024;

export interface ExchangeOptions {
  location: boolean;
  maxRedirs: number;
  timeoutMs: number;
  /** Stop: aborts the request at once (RunStopped). */
  signal?: AbortSignal;
}

async function readCapped(res: Response): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > BODY_LIMIT_BYTES) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const all = new Uint8Array(Math.min(size, BODY_LIMIT_BYTES));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.byteLength, all.byteLength - at));
    all.set(part, at);
    at += part.byteLength;
  }
  return { text: new TextDecoder().decode(all), truncated };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Sends the request; throws a CellRunError a learner can act on when no answer comes back. */
export async function exchange(
  request: SentRequest,
  options: ExchangeOptions,
  guard: HostGuard,
): Promise<{ hops: Hop[]; response: ReceivedResponse }> {
  if (request.body !== null && new TextEncoder().encode(request.body).byteLength > BODY_LIMIT_BYTES) {
    throw new CellRunError(`the request body is over ${BODY_LIMIT_BYTES / 1024} KiB`, 'Send a smaller body.');
  }
  let url = guard.check(request.url);
  let method = request.method;
  let body = request.body;
  const hops: Hop[] = [];
  for (;;) {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: request.headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined),
        redirect: 'manual',
        signal: options.signal
          ? requestSignal(options.signal, options.timeoutMs)
          : AbortSignal.timeout(options.timeoutMs),
      });
    } catch (e) {
      if (options.signal?.aborted) throw stoppedBy(options.signal);
      const node = guard.nodeFor(url);
      const name = node?.name ?? url.host;
      if ((e as Error).name === 'TimeoutError') {
        throw CellRunError.transient(
          `${name} did not answer ${method} ${url.pathname} within ${options.timeoutMs / 1000} s`,
          `A paused node holds requests without answering; resume it (\`resume ${name}\`) or ask another node.`,
        );
      }
      throw CellRunError.transient(
        `${name} (${url.origin}) refused the connection`,
        `The node is probably down: restart it with a \`cluster\` cell (\`restart ${name}\`) or ask another node.`,
      );
    }
    const { text, truncated } = await readCapped(res);
    const durationMs = Math.round(performance.now() - started);
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const location = res.headers.get('location');
    if (options.location && res.status >= 300 && res.status < 400 && location) {
      if (hops.length >= options.maxRedirs) {
        throw CellRunError.transient(
          `more than ${options.maxRedirs} redirects, last to ${location}`,
          'The nodes may be redirecting to each other while a leader is being elected; retry in a moment.',
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new CellRunError(`${url.href} redirected to \`${location}\`, which is not a URL`);
      }
      // The guard maps a node's other names (e.g. its advertised URL) to where the lab reaches it.
      const target = guard.check(next.href, url.href);
      hops.push({ method, url: url.href, status: res.status, location: next.href, durationMs });
      // Like fetch and curl -L: 303, and 301/302 after a POST, continue as GET without a body.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
      }
      url = target;
      continue;
    }
    return {
      hops,
      response: { status: res.status, headers, body: parseJson(text), bodyText: text, truncated, durationMs },
    };
  }
}
