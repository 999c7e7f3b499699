/**
 * The Nexmark benchmark's Java UDF classes that Weir implements natively, so that its query texts
 * (`CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'` in q14) run unchanged.
 * Weir cannot load Java classes: any other name that looks like one is refused with a reason
 * (javaClassError) instead of failing as a missing JavaScript file.
 */
import { existsSync } from 'node:fs';
import type { SourceSpan } from '../common/errors.js';
import { WeirError } from '../common/errors.js';
import type { SqlType } from '../common/types.js';
import { T } from '../common/types.js';

export interface NativeFunction {
  readonly fn: (...args: unknown[]) => unknown;
  readonly returns: SqlType;
  /** the argument types the Java class declares; the binder casts arguments to them */
  readonly params: readonly SqlType[];
}

/**
 * CountChar (nexmark-flink's udf/CountChar.java): the number of bytes of `s`'s UTF-8 form equal to
 * the first byte of `character`'s UTF-8 form, as a BIGINT (Java `long`, never NULL). A NULL `s`
 * counts 0. For an ASCII character that is the number of occurrences of the character; for any
 * other it counts the character's lead byte, as the Java code does. A NULL or empty `character`
 * makes the Java code throw (NullPointerException, ArrayIndexOutOfBounds); here it is an error that
 * says so, reported with the row by the UDF call.
 */
function countChar(s: unknown, character: unknown): number {
  if (character === null || character === undefined) throw new Error('the character to count is NULL');
  const c = String(character);
  if (c.length === 0) throw new Error('the character to count is an empty string');
  if (s === null || s === undefined) return 0;
  const text = String(s);
  const code = c.charCodeAt(0);
  let count = 0;
  if (code < 0x80) {
    // an ASCII byte never occurs inside a multi-byte UTF-8 sequence: counting code units is counting bytes
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === code) count++;
    return count;
  }
  const lead = Buffer.from(c, 'utf8')[0]!;
  for (const b of Buffer.from(text, 'utf8')) if (b === lead) count++;
  return count;
}

/** Java class name → Weir's own implementation. */
export const NATIVE_JAVA_FUNCTIONS: ReadonlyMap<string, NativeFunction> = new Map([
  ['com.github.nexmark.flink.udf.CountChar', { fn: countChar as (...a: unknown[]) => unknown, returns: T.BIGINT, params: [T.VARCHAR, T.VARCHAR] }],
]);

/** A dotted Java name (`a.b.C`), not a JavaScript module path (.js, .mjs, .cjs). */
const JAVA_CLASS = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;
const JS_MODULE = /\.(m|c)?js$/i;

/**
 * The error for CREATE FUNCTION naming a Java class that is not in the table, or undefined when
 * `name` is not such a name (or is a file after all, resolved as `resolved`).
 */
export function javaClassError(fnName: string, name: string, resolved: string, span: SourceSpan): WeirError | undefined {
  if (!JAVA_CLASS.test(name) || JS_MODULE.test(name) || existsSync(resolved)) return undefined;
  const known = [...NATIVE_JAVA_FUNCTIONS.keys()].join(', ');
  return new WeirError('UNSUPPORTED',
    `CREATE FUNCTION ${fnName}: '${name}' looks like a Java class, and Java classes cannot be loaded; `
    + `give the path of a JavaScript module (.js or .mjs) that exports '${fnName}' (the Java classes Weir implements natively: ${known})`,
    span);
}
