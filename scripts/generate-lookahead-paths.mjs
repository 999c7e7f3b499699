#!/usr/bin/env node
// Writes src/parser/lookahead-paths.generated.ts: every parser decision's LL(k) lookahead paths, as
// chevrotain computes them, with the grammar's fingerprint (see src/parser/lookahead-cache.ts), one
// string per decision (src/parser/lookahead-encoding.ts). Run it after changing the grammar or the
// tokens (test/parser/lookahead-cache.test.ts says when):
//   npm run build && node scripts/generate-lookahead-paths.mjs && npm run build
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { SqlParser, MAX_LOOKAHEAD } = await import(path.join(root, 'dist/parser/grammar.js'));
const { CachedLookahead } = await import(path.join(root, 'dist/parser/lookahead-cache.js'));
const { generatedModuleText } = await import(path.join(root, 'dist/parser/lookahead-encoding.js'));
const { ALL_TOKENS } = await import(path.join(root, 'dist/parser/tokens.js'));

const t0 = performance.now();
const parser = new SqlParser(new CachedLookahead(ALL_TOKENS, MAX_LOOKAHEAD, false));
const stored = parser.lookahead.computeAllPaths();
const text = generatedModuleText(stored);
const out = path.join(root, 'src/parser/lookahead-paths.generated.ts');
fs.writeFileSync(out, text);
console.log(`${Object.keys(stored.decisions).length} decisions, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB, in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${path.relative(root, out)}`);
