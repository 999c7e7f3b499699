/**
 * One error taxonomy for the whole engine.
 *
 * A `WeirError` is a user's mistake (bad SQL, an unknown column, a bad option, unreadable input): it
 * carries a stable code and, where the mistake is in SQL text, the span that caused it, so the CLI can
 * print `FILE:LINE:COLUMN: message` and never a stack trace. An `InternalError` is a bug in Weir.
 */

/** A position in a SQL text. Lines and columns count from 1; offsets from 0. */
export interface SourceSpan {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /** Length in characters of the offending text, when known. */
  readonly length?: number;
}

export type ErrorCode =
  | 'PARSE' // syntax error
  | 'BIND' // unknown table / column / function, ambiguity
  | 'TYPE' // type mismatch
  | 'PLAN' // the query cannot run as asked (output mode, unbounded state, ...)
  | 'UNSUPPORTED' // a construct Weir parses but does not execute yet
  | 'OPTION' // a bad connector or engine option
  | 'INPUT' // unreadable input data
  | 'RUNTIME' // a query failed while running (a UDF threw, a sink failed)
  | 'STATE'; // a checkpoint that cannot be used

/**
 * Marks a WeirError of any copy of this module. A worker thread of a parallel query runs a bundle
 * with its own copy, while a CREATE FUNCTION module it imports throws the package's WeirError:
 * `instanceof WeirError` answers true for both, so such an error reads the same at any parallelism.
 */
const WEIR_ERROR = Symbol.for('weir-sql.WeirError');

export class WeirError extends Error {
  override readonly name = 'WeirError';
  readonly [WEIR_ERROR] = true;

  /** This class's instances by their prototype; for WeirError itself also another copy's (WEIR_ERROR). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === WeirError && typeof x === 'object' && x !== null && (x as { [WEIR_ERROR]?: unknown })[WEIR_ERROR] === true;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly span?: SourceSpan,
    /** The SQL file (or `<sql>` for API text) the span refers to; filled in by the engine. */
    public file?: string,
  ) {
    super(message);
  }

  /** `FILE:LINE:COLUMN: message`, or just the message where there is no position. */
  format(defaultFile = '<sql>'): string {
    if (!this.span) return this.file ? `${this.file}: ${this.message}` : this.message;
    return `${this.file ?? defaultFile}:${this.span.line}:${this.span.column}: ${this.message}`;
  }
}

/** Several user errors found in one pass (the parser reports every syntax error it can recover from). */
export class WeirErrors extends WeirError {
  constructor(readonly errors: readonly WeirError[]) {
    super(errors[0]?.code ?? 'PARSE', errors[0]?.message ?? 'errors', errors[0]?.span, errors[0]?.file);
  }

  override format(defaultFile = '<sql>'): string {
    return this.errors.map((e) => e.format(this.file ?? defaultFile)).join('\n');
  }
}

/** A broken invariant inside Weir: never the user's fault. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

export function isWeirError(e: unknown): e is WeirError {
  return e instanceof WeirError;
}

/** Set the file name on a user error (and its children) that does not have one yet. */
export function withFile<E>(e: E, file: string): E {
  if (e instanceof WeirErrors) for (const c of e.errors) c.file ??= file;
  if (e instanceof WeirError) e.file ??= file;
  return e;
}

/** For exhaustive switches: a missing case is a compile error, and a bug at run time. */
export function assertNever(x: never, what = 'value'): never {
  throw new InternalError(`unexpected ${what}: ${JSON.stringify(x)}`);
}
