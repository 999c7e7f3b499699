/**
 * Refusals for collection syntax Weir does not run yet (issue 11 item 6): ARRAY/MAP constructors,
 * element access `x[i]`, `UNNEST(...)` in FROM and the suffix type form `INT ARRAY`.
 *
 * Without these, a Flink user writing `ARRAY[1, 2]` read "unexpected character '['" and
 * `CROSS JOIN UNNEST(tags)` read "expected ';'", which suggests a typo rather than a missing
 * feature. Each is reported "not supported yet" at the construct's own position instead.
 *
 * The checks run only once the statement failed to lex or parse, so a statement that parses is
 * never affected and an earlier, unrelated mistake is still the one reported.
 */
import type { IToken } from 'chevrotain';
import { WeirError } from '../common/errors.js';
import { tokenSpan } from './spans.js';
import { LParen } from './tokens.js';

/** `[` met by the lexer: an ARRAY/MAP constructor when a word ARRAY or MAP precedes it, else a subscript. */
export function bracketRefusal(text: string, offset: number, span: WeirError['span'], file?: string): WeirError | undefined {
  if (text[offset] !== '[') return undefined;
  const windowStart = Math.max(0, offset - 64);
  const before = /([A-Za-z_][A-Za-z0-9_$]*)[ \t]*$/.exec(text.slice(windowStart, offset));
  const word = before?.[1]?.toUpperCase();
  if (before && span && (word === 'ARRAY' || word === 'MAP')) {
    const wordStart = windowStart + before.index;
    const at = { ...span, column: span.column - (offset - wordStart), offset: wordStart, length: word.length };
    return new WeirError('UNSUPPORTED', `${word}[...] constructors are not supported yet`, at, file);
  }
  return new WeirError('UNSUPPORTED', "element access '[...]' is not supported yet", span && { ...span, length: 1 }, file);
}

const FROM_POSITION = new Set(['JOIN', 'FROM', ',', 'LATERAL']);

/**
 * For a statement that failed to parse at `errorToken`: the refusal of an UNNEST(...) in FROM, or of
 * a suffix collection type (`INT ARRAY`, `INT MULTISET`), at or before the error, if there is one.
 */
export function collectionRefusal(tokens: readonly IToken[], errorToken: IToken | undefined, file?: string): WeirError | undefined {
  const limit = errorToken && !Number.isNaN(errorToken.startOffset) ? errorToken.startOffset : Number.POSITIVE_INFINITY;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startOffset > limit) break;
    const word = t.image.toUpperCase();
    const prev = tokens[i - 1]?.image.toUpperCase();
    if (word === 'UNNEST' && tokens[i + 1]?.tokenType === LParen && prev !== undefined && FROM_POSITION.has(prev)) {
      return new WeirError('UNSUPPORTED', 'UNNEST is not supported yet', tokenSpan(t), file);
    }
    if ((word === 'ARRAY' || word === 'MULTISET') && t === errorToken && prev !== undefined && /^[A-Z_]/.test(prev)) {
      return new WeirError('UNSUPPORTED', `type ${prev} ${word} is not supported yet`, tokenSpan(t), file);
    }
  }
  return undefined;
}
