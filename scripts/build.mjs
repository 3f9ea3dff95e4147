// Compiles the server (src/main.ts and everything it imports, packages left to
// node_modules) into one plain JavaScript file, dist/main.js, which `npm start` runs.
// Loading through tsx instead kept every module's compiled text and source map in the
// process: about 20 MB more resident memory (docs/benchmarks.md). It takes a fraction of
// a second, so `npm start` always runs what is in src/.
import { renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Written aside, then renamed: two instances starting at once never run a half-written file.
const aside = `dist/.build-${process.pid}`;
await build({
  entryPoints: ['src/main.ts'],
  outfile: `${aside}/main.js`,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node24',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  // For readable stack traces, start with NODE_OPTIONS=--enable-source-maps.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
renameSync(`${aside}/main.js.map`, 'dist/main.js.map');
renameSync(`${aside}/main.js`, 'dist/main.js');
rmSync(aside, { recursive: true });
