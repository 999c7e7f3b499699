#!/usr/bin/env node
// The CLI entry point: the TypeScript sources are compiled to dist/ by `npm ci` (the prepare script).
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

const { main } = await import('../dist/cli/main.js');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
