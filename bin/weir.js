#!/usr/bin/env node
// The CLI entry point: the TypeScript sources are compiled to dist/ by `npm ci` (the prepare script).
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';

// Node >= 22.1 keeps the compiled code of the modules a command loads, so that the next start skips
// compiling them (issue 12 item 4: start-up). With no directory Node uses its default,
// <os.tmpdir()>/node-compile-cache, never the user's working directory; NODE_COMPILE_CACHE chooses
// another and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Older Node has no such function: nothing happens.
try {
  nodeModule.enableCompileCache?.();
} catch {
  // a cache that cannot be made (a read-only tmpdir) only costs the time it would have saved
}

// The bundle of the package's entry points (scripts/bundle.mjs): one file and a few chunks instead of
// some 370 modules. tsc's own output when the bundle is not there or older than it (tsc run again
// without the bundle step: a whole tsc run writes every file, this one too), so that a rebuilt dist/
// does not run stale code. `tsc --watch` rewrites only the files that changed: run `npm run build`.
const bundled = new URL('../dist/bundle/cli.js', import.meta.url);
const plain = new URL('../dist/cli/main.js', import.meta.url);
const mtime = (url) => {
  try {
    return fs.statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
};
const bundleTime = mtime(bundled);
const { main } = await import((bundleTime !== undefined && bundleTime >= (mtime(plain) ?? 0) ? bundled : plain).href);
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
