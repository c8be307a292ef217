import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// monaco-editor's package exports map every deep import to a .js file, so its CSS (the
// codicon font for the completion list) is reached through this alias instead.
const monacoEsm = fileURLToPath(new URL('../node_modules/monaco-editor/esm/vs/', import.meta.url));

/**
 * Every page's one inline script, from one source: the theme set before the first paint. A
 * classic inline script (not a module) so it runs before the page is drawn; the built pages
 * carry it verbatim, and the lab's CSP allows it by the hash it reads from them.
 */
function themeBeforePaint(): Plugin {
  const source = readFileSync(new URL('./src/theme-before-paint.js', import.meta.url), 'utf8');
  const code = source.replace(/^(\/\/.*\n)+/, '').trim();
  return {
    name: 'raft-lab-theme-before-paint',
    transformIndexHtml: () => [{ tag: 'script', children: code, injectTo: 'head' }],
  };
}

// The web app lives in web/; the lab serves web/dist (npm start) or mounts this config as
// dev middleware (npm run dev). Monaco is bundled locally (classrooms are often offline) and
// only reached through a dynamic import, so it lands in its own chunks after the first paint.
export default defineConfig({
  root,
  base: './',
  plugins: [themeBeforePaint()],
  resolve: { alias: [{ find: /^monaco-esm\//, replacement: monacoEsm }] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // bench/web-budgets.ts reads the manifest to tell the JS needed for the first screen
    // from the JS that arrives with Monaco.
    manifest: true,
    target: 'es2022',
    // Monaco is several MB by nature; it is loaded lazily, so its size does not delay the first screen.
    chunkSizeWarningLimit: 4000,
    // Rolldown reports plugin timings when a build is slow; on a busy machine (npm start's first
    // run) that reads like a problem while it is only a profiling hint. Classroom mode's
    // instructor pages (docs/classroom.md) are built beside the notebook.
    rolldownOptions: {
      checks: { bundlerTimings: false },
      input: {
        index: `${root}index.html`,
        dashboard: `${root}dashboard.html`,
        projector: `${root}projector.html`,
      },
    },
  },
  worker: { format: 'es' },
  server: { strictPort: true },
});
