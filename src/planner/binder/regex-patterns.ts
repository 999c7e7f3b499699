/**
 * A literal pattern of REGEXP, REGEXP_EXTRACT or REGEXP_REPLACE is checked when the query is bound:
 * one that the linear-time engine cannot run (a backreference, a lookahead...) is refused before the
 * query starts (and by EXPLAIN), at the pattern, naming the function. A pattern computed per row is
 * checked by the kernel, at run time.
 */
import { WeirError } from '../../common/errors.js';
import { compileJavaRegex, unsupportedRegexMessage } from '../../common/java-regex.js';
import type { BoundExpr } from '../expr.js';

/** The functions whose second argument is a Java regular expression. */
const REGEX_FUNCTIONS: ReadonlySet<string> = new Set(['regexp', 'regexp_extract', 'regexp_replace']);

export function checkRegexLiteral(fn: string, args: readonly BoundExpr[]): void {
  if (!REGEX_FUNCTIONS.has(fn)) return;
  const pattern = args[1];
  if (pattern?.kind !== 'literal' || typeof pattern.value !== 'string') return;
  const r = compileJavaRegex(pattern.value);
  // the span is the literal's (a position inside it would be off where the SQL doubles a quote); the
  // message gives the position inside the pattern
  if (r.kind === 'unsupported') throw new WeirError('UNSUPPORTED', unsupportedRegexMessage(fn.toUpperCase(), pattern.value, r), pattern.span);
}
