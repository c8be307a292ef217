import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabClient, LabError } from './lab-client.ts';

// A real HTTP server answering like the lab does (docs/lab-api.md), errors included.
const PORT = 17112;
let server: Server;
const seen: { method: string; url: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/api/lessons/missing') {
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            error: 'no_such_lesson',
            detail: 'There is no lesson "missing". Pick one from the list.',
          }),
        );
      } else if (req.url === '/api/html') {
        res.statusCode = 502;
        res.end('<html>bad gateway</html>');
      } else {
        res.end(JSON.stringify({ ok: true }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const client = new LabClient(`http://127.0.0.1:${PORT}`);

describe('lab client', () => {
  it("passes the lab's own explanation of an error to the learner", async () => {
    const err = await client.lesson('missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toBe('There is no lesson "missing". Pick one from the list.');
    expect((err as LabError).code).toBe('no_such_lesson');
  });

  it('explains an answer without a JSON error by status, method and path', async () => {
    const c = new LabClient(`http://127.0.0.1:${PORT}`);
    const err = await (c as unknown as { call: (m: string, p: string) => Promise<unknown> })
      .call('GET', '/api/html')
      .catch((e: unknown) => e);
    expect((err as LabError).message).toContain('502');
    expect((err as LabError).message).toContain('GET /api/html');
  });

  it('says to start the lab when nothing answers', async () => {
    const err = await new LabClient('http://127.0.0.1:17113').lessons().catch((e: unknown) => e);
    expect((err as LabError).code).toBe('unreachable');
    expect((err as LabError).message).toContain('npm start');
  });

  it('sends a cell edit as PUT with the source, ids escaped', async () => {
    await client.saveCell('01 meet', 'c/3', 'GET {{leader}}/status');
    const last = seen.at(-1)!;
    expect(last.method).toBe('PUT');
    expect(last.url).toBe('/api/lessons/01%20meet/cells/c%2F3');
    expect(JSON.parse(last.body)).toEqual({ source: 'GET {{leader}}/status' });
  });
});
