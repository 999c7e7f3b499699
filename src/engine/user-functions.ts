/**
 * User-defined functions from JavaScript modules (CREATE FUNCTION name AS 'path.js'), loaded late.
 *
 * Importing a module runs its top-level code, so a module is imported only when a query is about to
 * run, never by CREATE FUNCTION itself, EXPLAIN or `weir explain`: looking at a plan must not execute
 * user code. Until then the function is known by its name and path only; the binder gives its calls
 * a result type unknown until run (untyped, as a NULL literal) and EXPLAIN says so.
 *
 * Functions are synchronous: a scalar function is called once per row inside a kernel that cannot
 * wait (as Flink's `eval`), so an async function is refused when it is registered.
 */
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceSpan } from '../common/errors.js';
import { WeirError } from '../common/errors.js';
import type { SqlType } from '../common/types.js';
import { parseTypeName } from './type-names.js';
import { checkFunctionExport, type UserAggregate, type UserProcessFunction, type UserTableFunction } from './function-kinds.js';

export type ScalarFunction = (...args: unknown[]) => unknown;

/** A CREATE FUNCTION whose module is not imported yet. */
export interface PendingModuleFunction {
  readonly name: string;
  /** the path as written in the SQL (for messages) */
  readonly path: string;
  /** the path resolved against the script's directory */
  readonly modulePath: string;
  readonly span: SourceSpan;
}

export type LoadedFunction =
  | { readonly kind: 'scalar'; readonly fn: ScalarFunction; readonly returns: SqlType | undefined }
  | UserAggregate
  | UserTableFunction
  | UserProcessFunction;

const ASYNC_KINDS = new Set(['[object AsyncFunction]', '[object AsyncGeneratorFunction]']);

/** Refuse an async function (its result would be a Promise, never a value of the declared type). */
export function refuseAsync(name: string, fn: unknown, span: SourceSpan | undefined): void {
  if (typeof fn === 'function' && ASYNC_KINDS.has(Object.prototype.toString.call(fn))) {
    throw new WeirError('BIND', `function ${name} is an async function: async functions are not supported; `
      + 'a scalar function must return its value synchronously (load what it needs before the query starts)', span);
  }
}

/**
 * What CREATE FUNCTION can check without running the module: that the file is there. The rest (the
 * export, its `returns`) waits for the import when a query starts.
 */
export async function declareModuleFunction(name: string, modulePathText: string, baseDir: string, span: SourceSpan): Promise<PendingModuleFunction> {
  const modulePath = path.resolve(baseDir, modulePathText);
  try {
    await access(modulePath);
  } catch {
    throw new WeirError('BIND', `cannot load function module '${modulePathText}': no file ${modulePath}`, span);
  }
  return { name, path: modulePathText, modulePath, span };
}

/** Import the module (running its top-level code) and take the function CREATE FUNCTION names. */
export async function loadModuleFunction(p: PendingModuleFunction): Promise<LoadedFunction> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(p.modulePath).href)) as Record<string, unknown>;
  } catch (e) {
    throw new WeirError('BIND', `cannot load function module '${p.path}': ${e instanceof Error ? e.message : String(e)}`, p.span);
  }
  const exported = mod[p.name] ?? mod.default;
  if (exported === undefined) {
    throw new WeirError('BIND', `module '${p.path}' exports no function '${p.name}' nor a default export`, p.span);
  }
  // the export's `kind` says what it is (function-kinds.ts); a plain function is a scalar function
  const checked = checkFunctionExport(p.name, ` of module '${p.path}'`, exported, p.span);
  if (checked.kind !== 'scalar') return checked;
  const fn = checked.fn as ScalarFunction & { returns?: unknown };
  refuseAsync(p.name, fn, p.span);
  let returns: SqlType | undefined;
  if (fn.returns !== undefined) {
    if (typeof fn.returns !== 'string') {
      throw new WeirError('BIND', `function ${p.name} of module '${p.path}': 'returns' must be a SQL type name such as 'INT', got ${typeof fn.returns}`, p.span);
    }
    try {
      returns = parseTypeName(fn.returns);
    } catch (e) {
      throw new WeirError('BIND', `function ${p.name} of module '${p.path}': ${(e as Error).message}`, p.span);
    }
  }
  return { kind: 'scalar', fn, returns };
}
