/**
 * A library loaded the first time it is used, not when Weir is imported: a query that reads no CSV
 * never loads the CSV parser (`import('weir')` and `weir explain` stay quick). Only for libraries
 * with a CommonJS build, which `require` loads synchronously where the caller cannot wait.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A getter for module `name`, loading it on its first call. */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
