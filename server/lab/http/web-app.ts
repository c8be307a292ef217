// Serves the notebook's web app: the built files from web/dist, or (with --dev) Vite's dev
// server as middleware. Vite is imported only in --dev, so production needs no Vite.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { contentSecurityPolicy } from './security-headers.ts';

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Raft Lab</title>
<body style="font-family: system-ui; max-width: 40rem; margin: 4rem auto">
<h1>Raft Lab is running, but its web app is not built</h1>
<p>Stop the lab and run <code>npm run build</code> (or just <code>npm start</code>, which builds it), then reload.</p>
<p>The API answers at <a href="/api/lessons">/api/lessons</a>.</p></body>`;

/** The CSP for the built web app under `root` (null with --dev: Vite injects its own scripts). */
export function webAppPolicy(
  options: { root: string; dev: boolean },
  pages: string[] = ['index.html'],
): string | null {
  if (options.dev) return null;
  // Each built page's own inline scripts (the theme set before first paint) are allowed by hash.
  const html = pages
    .map((page) => join(options.root, 'web', 'dist', page))
    .map((file) => (existsSync(file) ? readFileSync(file, 'utf8') : ''))
    .join('\n');
  return contentSecurityPolicy(html);
}

export async function serveWebApp(
  app: Express,
  server: Server,
  options: { root: string; dev: boolean },
): Promise<void> {
  const webDir = join(options.root, 'web');
  if (options.dev) {
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: join(webDir, 'vite.config.ts'),
      server: { middlewareMode: true, ws: { server } },
      appType: 'spa',
    });
    app.use(vite.middlewares);
    server.on('close', () => void vite.close());
    return;
  }
  const dist = join(webDir, 'dist');
  app.use(express.static(dist, { index: 'index.html', fallthrough: true }));
  // The notebook is one page: any other GET outside /api gets it (or the "not built" page).
  app.use((req, res, next) => {
    if (req.method !== 'GET' || req.path.startsWith('/api/')) return next();
    const index = join(dist, 'index.html');
    if (existsSync(index)) res.sendFile(index);
    else res.status(503).type('html').send(NOT_BUILT_PAGE);
  });
}
