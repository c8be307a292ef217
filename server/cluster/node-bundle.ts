// The node as one JavaScript file, built with esbuild from server/node/main.ts, for the
// processes LocalCluster starts. Issue 15: under tsx a node compiles its TypeScript and
// resolves ~200 modules at every start; the bundle starts in 1.8–2.5 s instead of 5.2–5.7 on a
// busy 2-core machine and holds 56 MiB instead of 85. `npm run node` still runs the sources
// with tsx (dev); a cluster started with `fromSource` too (CPU profiles name source files).

import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE_MAIN = path.join(REPO_ROOT, 'server/node/main.ts');
/** Where the bundle goes; node_modules/.cache is ignored by git and pruned from images. */
const OUT_DIR = path.join(REPO_ROOT, 'node_modules/.cache/raft-lab');

// express and its helpers are CommonJS and `require` node's modules: an ES module bundle
// needs a `require` of its own.
const BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

let built: Promise<string> | null = null;

/** Bundles the node into `outfile` (esbuild's error on failure). */
async function bundleTo(outfile: string): Promise<void> {
  await build({
    entryPoints: [NODE_MAIN],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    logLevel: 'silent',
  });
}

/**
 * Builds the node bundle once per process (from the sources as they are now) and resolves
 * with its path. Concurrent builders (parallel test files) each write their own file and
 * rename it into place, so none ever runs a half-written bundle. Rejects with esbuild's
 * error when the sources do not build.
 */
export function nodeBundle(): Promise<string> {
  built ??= (async () => {
    const out = path.join(OUT_DIR, 'node-main.mjs');
    const tmp = `${out}.${process.pid}.tmp.mjs`;
    try {
      await bundleTo(tmp);
      await rename(tmp, out);
    } catch (e) {
      built = null;
      await rm(tmp, { force: true });
      throw new Error(`cannot bundle the node (${NODE_MAIN}): ${(e as Error).message}`);
    }
    return out;
  })();
  return built;
}

// `tsx server/cluster/node-bundle.ts <file.mjs>`: the same bundle at a path of one's choosing —
// the image's build stage, so that containers start the node as fast and as small as local
// clusters do.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: tsx server/cluster/node-bundle.ts <file.mjs>');
    process.exit(2);
  }
  await bundleTo(path.resolve(out));
}
