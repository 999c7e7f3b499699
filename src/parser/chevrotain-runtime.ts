/**
 * chevrotain's runtime, loaded from the one-file bundle its package ships (`lib/chevrotain.mjs`, the
 * same version built from the same sources) rather than from its ES modules: those are ~150 files
 * with lodash-es, and loading them took ~250 ms of every `weir` command's start-up, the bundle
 * ~15 ms. The package's `exports` only name its module entry, so the bundle is found beside it; if
 * it is not there, the entry is loaded. Types come from the package's declarations as usual.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

async function load(): Promise<typeof Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve('chevrotain'); // <package>/lib/src/api.js
    return (await import(pathToFileURL(path.join(path.dirname(entry), '..', 'chevrotain.mjs')).href)) as typeof Chevrotain;
  } catch {
    return import('chevrotain');
  }
}

const chevrotain = await load();

export const { CstParser, EOF, Lexer, LLkLookaheadStrategy, createToken, tokenMatcher } = chevrotain;
export const { getLookaheadPaths, serializeGrammar } = chevrotain;
