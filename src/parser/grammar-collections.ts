/**
 * Collection rules (issue 11 item 6): the constructors `ARRAY[a, b]`, `MAP[k1, v1, k2, v2]` and `ROW(a, b)`, and
 * `UNNEST(expr) [WITH ORDINALITY] [AS] t [(c1, …)]` in FROM. ARRAY, MAP, UNNEST and ORDINALITY are
 * no keywords of their own (ARRAY and MAP are type names, read as identifiers), so each is
 * recognised by its word and what follows it. The subscript `x[i]` is a postfix of any primary
 * (grammar-expressions.ts).
 */
import type { IToken } from 'chevrotain';
import { tokenMatcher } from './chevrotain-runtime.js';
import type { Dsl } from './grammar-dsl.js';
import * as T from './tokens.js';

function isWord(t: IToken, word: string): boolean {
  return tokenMatcher(t, T.Identifier) && t.tokenType !== T.QuotedIdentifier && t.image.toUpperCase() === word;
}

/** At `ARRAY [` or `MAP [`. */
export function startsCollectionConstructor($: Dsl): boolean {
  return (isWord($.la(1), 'ARRAY') || isWord($.la(1), 'MAP')) && tokenMatcher($.la(2), T.LBracket);
}

/** At `ROW (` (a row constructor; `ROW<…>` is a type). */
export function startsRowConstructor($: Dsl): boolean {
  return tokenMatcher($.la(1), T.Row) && tokenMatcher($.la(2), T.LParen);
}

/** At `UNNEST (`. */
export function startsUnnest($: Dsl): boolean {
  return isWord($.la(1), 'UNNEST') && tokenMatcher($.la(2), T.LParen);
}

export function defineCollectionRules($: Dsl): void {
  $.rule('collectionConstructor', () => {
    $.consume(T.Identifier, 0, 'ctor');
    $.consume(T.LBracket);
    $.option(() => {
      $.sub('expression', 0, 'item');
      $.many(() => { $.consume(T.Comma); $.sub('expression', 1, 'item'); });
    });
    $.consume(T.RBracket);
  });

  $.rule('rowConstructor', () => {
    $.consume(T.Row, 0, 'ctor');
    $.consume(T.LParen);
    $.sub('expression', 0, 'item');
    $.many(() => { $.consume(T.Comma); $.sub('expression', 1, 'item'); });
    $.consume(T.RParen);
  });

  $.rule('unnestTable', () => {
    $.consume(T.Identifier, 0, 'unnestKw');
    $.consume(T.LParen);
    $.sub('expression', 0, 'unnestArg');
    $.many(() => { $.consume(T.Comma); $.sub('expression', 1, 'unnestArg'); });
    $.consume(T.RParen);
    $.option(() => { $.consume(T.With); $.consume(T.Identifier, 1, 'ordinality'); }, 0, () => isWord($.la(2), 'ORDINALITY'));
    $.option(() => {
      $.sub('alias');
      $.option(() => { $.consume(T.LParen, 1); $.sub('identList', 0, 'unnestColumns'); $.consume(T.RParen, 1); }, 2);
    }, 1);
  });
}
