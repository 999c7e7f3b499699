/**
 * Expression and type rules.
 *
 * Precedence, loosest first: OR < AND < NOT < comparison / IS / BETWEEN / IN / LIKE < `+ - ||` <
 * `* / %` < unary `- +` < postfix `.field` < primary. The binary levels are not one rule each: the
 * `expression` rule takes a flat AND/OR chain (with NOTs) and `additive` a flat arithmetic chain
 * (with signs), operands and operators under the labels `operand` and `op`, and the CST visitor
 * (cst-expressions.ts) applies precedence. That keeps the rule recursion per nesting level small.
 */
import type { IOrAlt, IToken, TokenType } from 'chevrotain';
import { tokenMatcher } from './chevrotain-runtime.js';
import type { Dsl } from './grammar-dsl.js';
import * as T from './tokens.js';
import { startsCollectionConstructor, startsRowConstructor } from './grammar-collections.js';

/** `SELECT`, `WITH`, or any number of `(` before one of them, starting at token i. */
export function startsQuery($: Dsl, i: number): boolean {
  let k = i;
  while (tokenMatcher($.la(k), T.LParen)) k++;
  return tokenMatcher($.la(k), T.Select) || tokenMatcher($.la(k), T.With);
}

/** One alternative per token, all consumed under one label. */
export function tokenAlts($: Dsl, tokens: readonly TokenType[], label: string, idx = 0): IOrAlt<unknown>[] {
  return tokens.map((t) => ({ ALT: () => $.consume(t, idx, label) }));
}

const COMPARISON_OPS = [T.Eq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater];

/** Whether `t` is one of `words`, unquoted (a word that is no keyword of its own). */
function isWord(t: IToken, words: readonly string[]): boolean {
  return tokenMatcher(t, T.Identifier) && t.tokenType !== T.QuotedIdentifier && words.includes(t.image.toUpperCase());
}

/** At the start of a JSON function clause (grammar rule jsonClause). */
function startsJsonClause($: Dsl): boolean {
  const a = $.la(1), b = $.la(2);
  // a column named like a clause's first word is an argument: `f(error)`, `f(default, 1)`
  const ends = tokenMatcher(b, T.Comma) || tokenMatcher(b, T.RParen) || tokenMatcher(b, T.Dot);
  if (isWord(a, ['RETURNING', 'DEFAULT'])) return !ends;
  if (isWord(a, ['ERROR', 'ABSENT'])) return tokenMatcher(b, T.On);
  // JSON_QUERY's EMPTY ARRAY / EMPTY OBJECT ON …, JSON_EXISTS's TRUE / FALSE / UNKNOWN ON ERROR
  if (isWord(a, ['EMPTY'])) return isWord(b, ['ARRAY', 'OBJECT']);
  if (tokenMatcher(a, T.True) || tokenMatcher(a, T.False) || tokenMatcher(a, T.Unknown)) return tokenMatcher(b, T.On);
  // WITHOUT is a reserved word (TIMESTAMP WITHOUT TIME ZONE)
  if (tokenMatcher(a, T.Without)) return isWord(b, ['ARRAY', 'WRAPPER']);
  if (tokenMatcher(a, T.Null)) return tokenMatcher($.la(2), T.On);
  return tokenMatcher(a, T.With) && isWord($.la(2), ['ARRAY', 'CONDITIONAL', 'UNCONDITIONAL', 'WRAPPER']);
}

/** `KEY` before a JSON_OBJECT key (not a column named key: `KEY key VALUE v`, `key VALUE v`). */
function startsKeyWord($: Dsl): boolean {
  const next = $.la(2);
  return tokenMatcher($.la(1), T.Key) && !tokenMatcher(next, T.Comma) && !tokenMatcher(next, T.RParen) && !tokenMatcher(next, T.Dot)
    && !isWord(next, ['VALUE']);
}

/** `[KEY] k VALUE v`: a JSON_OBJECT entry (the key and value are both `arg`s, in order; `valueWord` marks each pair). */
function jsonObjectEntry($: Dsl, occurrence: 0 | 1): void {
  // one token of lookahead and a gate: the follow sets of a whole expression made LL(4) take minutes to build
  $.option(() => $.consume(T.Key, occurrence, 'keyWord'), 5 + occurrence, () => startsKeyWord($), 1);
  $.sub('expression', occurrence, 'arg');
  $.option(() => {
    $.consume(T.Identifier, occurrence, 'valueWord');
    $.sub('expression', 3 + occurrence, 'arg');
  }, 7 + occurrence, () => isWord($.la(1), ['VALUE']), 1);
}

export function defineExpressionRules($: Dsl): void {
  $.rule('jsonClause', () => {
    $.or([
      {
        // JSON_OBJECT / JSON_ARRAY: NULL ON NULL | ABSENT ON NULL
        GATE: () => (tokenMatcher($.la(1), T.Null) || isWord($.la(1), ['ABSENT'])) && tokenMatcher($.la(2), T.On) && tokenMatcher($.la(3), T.Null),
        ALT: () => {
          $.or([{ ALT: () => $.consume(T.Null, 1, 'onNull') }, { ALT: () => $.consume(T.Identifier, 8, 'onNull') }], 3);
          $.consume(T.On, 1);
          $.consume(T.Null, 2);
        },
        IGNORE_AMBIGUITIES: true,
      },
      {
        GATE: () => isWord($.la(1), ['RETURNING']),
        ALT: () => { $.consume(T.Identifier, 0, 'returning'); $.sub('dataType', 0, 'returnType'); },
        IGNORE_AMBIGUITIES: true,
      },
      {
        GATE: () => tokenMatcher($.la(1), T.With) || tokenMatcher($.la(1), T.Without),
        ALT: () => {
          $.or([{ ALT: () => $.consume(T.With, 0, 'with') }, { ALT: () => $.consume(T.Without, 0, 'without') }], 1);
          $.option(() => $.consume(T.Identifier, 2, 'conditional'), 0, () => isWord($.la(1), ['CONDITIONAL', 'UNCONDITIONAL']));
          $.option(() => $.consume(T.Identifier, 3), 1, () => isWord($.la(1), ['ARRAY']));
          $.consume(T.Identifier, 4, 'wrapper');
        },
        IGNORE_AMBIGUITIES: true,
      },
      {
        ALT: () => {
          $.or([
            { ALT: () => $.consume(T.Null, 0, 'behaviour') },
            { ALT: () => $.consume(T.True, 0, 'behaviour') },
            { ALT: () => $.consume(T.False, 0, 'behaviour') },
            { ALT: () => $.consume(T.Unknown, 0, 'behaviour') },
            {
              // EMPTY ARRAY | EMPTY OBJECT (JSON_QUERY)
              GATE: () => isWord($.la(1), ['EMPTY']),
              ALT: () => { $.consume(T.Identifier, 9, 'behaviour'); $.consume(T.Identifier, 10, 'emptyKind'); },
              IGNORE_AMBIGUITIES: true,
            },
            { GATE: () => isWord($.la(1), ['ERROR']), ALT: () => $.consume(T.Identifier, 5, 'behaviour'), IGNORE_AMBIGUITIES: true },
            {
              GATE: () => isWord($.la(1), ['DEFAULT']),
              ALT: () => { $.consume(T.Identifier, 6, 'behaviour'); $.sub('additive', 0, 'default'); },
              IGNORE_AMBIGUITIES: true,
            },
          ], 2);
          $.consume(T.On);
          $.consume(T.Identifier, 7, 'target');
        },
        IGNORE_AMBIGUITIES: true,
      },
    ]);
  });

  // AND/OR chains and the NOTs before each operand are one flat rule; the CST visitor applies
  // precedence (NOT > AND > OR). A rule per precedence level cost 11 rule invocations (about 7 JS
  // frames each) per parenthesis, and chevrotain's recursion overflowed the default stack at
  // ~100 parentheses; flat, it is 4, well past the nesting limit of nesting.ts.
  $.rule('expression', () => {
    $.many(() => $.consume(T.Not, 0, 'not'));
    $.sub('predicate', 0, 'operand');
    $.many(() => {
      $.or(tokenAlts($, [T.And, T.Or], 'op'));
      $.many(() => $.consume(T.Not, 1, 'not'), 2);
      $.sub('predicate', 1, 'operand');
    }, 1);
  });

  $.rule('predicate', () => {
    $.sub('additive');
    $.many(() => $.sub('predicateSuffix'));
  });

  $.rule('predicateSuffix', () => {
    $.or([
      {
        ALT: () => {
          $.or(tokenAlts($, COMPARISON_OPS, 'compOp'), 1);
          $.sub('additive', 0, 'right');
        },
      },
      {
        ALT: () => {
          $.consume(T.Is);
          $.option(() => $.consume(T.Not, 0, 'isNot'));
          $.or([
            ...tokenAlts($, [T.Null, T.True, T.False, T.Unknown], 'isTest'),
            { ALT: () => { $.consume(T.Distinct); $.consume(T.From); $.sub('additive', 1, 'distinctFrom'); } },
            // x IS [NOT] JSON [VALUE | SCALAR | ARRAY | OBJECT] (JSON and its kinds are not keywords)
            {
              GATE: () => isWord($.la(1), ['JSON']),
              ALT: () => {
                $.consume(T.Identifier, 0, 'isJson');
                $.option(() => $.consume(T.Identifier, 1, 'jsonKind'), 7, () => isWord($.la(1), ['VALUE', 'SCALAR', 'ARRAY', 'OBJECT']));
              },
              IGNORE_AMBIGUITIES: true,
            },
          ], 2);
        },
      },
      {
        ALT: () => {
          $.option(() => $.consume(T.Not, 1, 'not'), 1);
          $.or([
            {
              ALT: () => {
                $.consume(T.Between);
                $.option(() => $.or(tokenAlts($, [T.Symmetric, T.Asymmetric], 'symmetry'), 4), 2);
                $.sub('additive', 2, 'low');
                $.consume(T.And);
                $.sub('additive', 3, 'high');
              },
            },
            {
              ALT: () => {
                $.consume(T.In);
                $.consume(T.LParen);
                $.or([
                  { GATE: () => startsQuery($, 1), ALT: () => $.sub('query'), IGNORE_AMBIGUITIES: true },
                  {
                    ALT: () => {
                      $.sub('expression', 0, 'item');
                      $.many(() => { $.consume(T.Comma); $.sub('expression', 1, 'item'); });
                    },
                  },
                ], 5);
                $.consume(T.RParen);
              },
            },
            {
              ALT: () => {
                $.consume(T.Like, 0, 'likeKw');
                $.sub('additive', 4, 'pattern');
                $.option(() => { $.consume(T.Escape); $.sub('additive', 5, 'escape'); }, 3);
              },
            },
            {
              ALT: () => {
                $.consume(T.Similar, 0, 'likeKw');
                $.consume(T.To);
                $.sub('additive', 6, 'pattern');
                $.option(() => { $.consume(T.Escape, 1); $.sub('additive', 7, 'escape'); }, 4);
              },
            },
          ], 3);
        },
      },
    ]);
  });

  // `+ - || * / %` and the signs before each operand, flat for the same reason as `expression`;
  // the visitor applies precedence (* / % over + - ||) and puts each operand's signs on it.
  $.rule('additive', () => {
    $.many(() => $.or(tokenAlts($, [T.Minus, T.Plus], 'sign')));
    $.sub('postfix', 0, 'operand');
    $.many(() => {
      $.or(tokenAlts($, [T.Plus, T.Minus, T.Concat, T.Star, T.Slash, T.Percent], 'op', 2), 1);
      $.many(() => $.or(tokenAlts($, [T.Minus, T.Plus], 'sign', 1), 2), 2);
      $.sub('postfix', 1, 'operand');
    }, 1);
  });

  // A primary (a parenthesized expression or scalar subquery inline), then `.field`s.
  $.rule('postfix', () => {
    $.or([
      { ALT: () => $.sub('literal') },
      { ALT: () => $.sub('intervalLiteral') },
      { GATE: () => tokenMatcher($.la(2), T.StringLiteral), ALT: () => $.sub('typedLiteral'), IGNORE_AMBIGUITIES: true },
      { ALT: () => $.sub('caseExpression') },
      { ALT: () => $.sub('castExpression') },
      { ALT: () => $.sub('extractExpression') },
      { ALT: () => $.sub('trimExpression') },
      { ALT: () => $.sub('substringExpression') },
      { ALT: () => $.sub('positionExpression') },
      { ALT: () => $.sub('floorCeilExpression') },
      { ALT: () => $.sub('existsExpression') },
      {
        ALT: () => {
          $.consume(T.LParen, 0, 'open');
          $.or([
            { GATE: () => startsQuery($, 1), ALT: () => $.sub('query'), IGNORE_AMBIGUITIES: true },
            { ALT: () => $.sub('expression'), IGNORE_AMBIGUITIES: true },
          ], 1);
          $.consume(T.RParen, 0, 'close');
        },
      },
      { GATE: () => startsCollectionConstructor($), ALT: () => $.sub('collectionConstructor'), IGNORE_AMBIGUITIES: true },
      { GATE: () => startsRowConstructor($), ALT: () => $.sub('rowConstructor'), IGNORE_AMBIGUITIES: true },
      { GATE: () => tokenMatcher($.la(2), T.LParen), ALT: () => $.sub('functionCall'), IGNORE_AMBIGUITIES: true },
      { ALT: () => $.sub('columnRef'), IGNORE_AMBIGUITIES: true },
    ]);
    // `.field` and `[index]` in any order (the visitor orders them by position)
    $.many(() => {
      $.or([
        { ALT: () => { $.consume(T.Dot); $.sub('identifier', 0, 'field'); } },
        { ALT: () => { $.consume(T.LBracket, 0, 'subscriptOpen'); $.sub('expression', 1, 'subscript'); $.consume(T.RBracket, 0, 'subscriptClose'); } },
      ], 2);
    });
  });

  $.rule('literal', () => {
    $.or(tokenAlts($, [T.NumberLiteral, T.StringLiteral, T.True, T.False, T.Null], 'value'));
  });

  // INTERVAL '10' SECOND, INTERVAL 10 SECONDS, INTERVAL -'1:30' MINUTE TO SECOND
  $.rule('intervalLiteral', () => {
    $.consume(T.Interval);
    $.option(() => $.or(tokenAlts($, [T.Minus, T.Plus], 'sign')));
    $.or(tokenAlts($, [T.StringLiteral, T.NumberLiteral], 'value'), 1);
    $.consume(T.AnyWord, 0, 'unit');
    $.option(() => { $.consume(T.To); $.consume(T.AnyWord, 1, 'toUnit'); }, 1);
  });

  $.rule('typedLiteral', () => {
    $.or(tokenAlts($, [T.TimestampKw, T.DateKw, T.TimeKw], 'typeKw'));
    $.consume(T.StringLiteral);
  });

  $.rule('caseExpression', () => {
    $.consume(T.Case);
    $.option(() => $.sub('expression', 0, 'operand'));
    $.atLeastOne(() => {
      $.consume(T.When);
      $.sub('expression', 1, 'when');
      $.consume(T.Then);
      $.sub('expression', 2, 'then');
    });
    $.option(() => { $.consume(T.Else); $.sub('expression', 3, 'else'); }, 1);
    $.consume(T.End);
  });

  $.rule('castExpression', () => {
    $.or(tokenAlts($, [T.Cast, T.TryCast], 'castKw'));
    $.consume(T.LParen);
    $.sub('expression');
    $.consume(T.As);
    $.sub('dataType');
    $.consume(T.RParen);
  });

  $.rule('extractExpression', () => {
    $.consume(T.Extract);
    $.consume(T.LParen);
    $.consume(T.AnyWord, 0, 'unit');
    $.consume(T.From);
    $.sub('expression');
    $.consume(T.RParen);
  });

  // TRIM([BOTH|LEADING|TRAILING] [chars] [FROM] s)
  $.rule('trimExpression', () => {
    $.consume(T.Trim);
    $.consume(T.LParen);
    $.option(() => $.or(tokenAlts($, [T.Both, T.Leading, T.Trailing], 'spec')));
    $.option(() => $.sub('expression', 0, 'first'), 1);
    $.option(() => { $.consume(T.From); $.sub('expression', 1, 'second'); }, 2);
    $.consume(T.RParen);
  });

  $.rule('substringExpression', () => {
    $.consume(T.Substring);
    $.consume(T.LParen);
    $.sub('expression', 0, 'operand');
    $.or([
      {
        ALT: () => {
          $.consume(T.From);
          $.sub('expression', 1, 'start');
          $.option(() => { $.consume(T.For); $.sub('expression', 2, 'length'); });
        },
      },
      {
        ALT: () => {
          $.consume(T.Comma);
          $.sub('expression', 3, 'start');
          $.option(() => { $.consume(T.Comma, 1); $.sub('expression', 4, 'length'); }, 1);
        },
      },
    ]);
    $.consume(T.RParen);
  });

  $.rule('positionExpression', () => {
    $.consume(T.Position);
    $.consume(T.LParen);
    $.sub('additive', 0, 'needle');
    $.consume(T.In);
    $.sub('expression', 0, 'haystack');
    $.consume(T.RParen);
  });

  // FLOOR(x), FLOOR(ts TO HOUR), CEIL/CEILING likewise
  $.rule('floorCeilExpression', () => {
    $.or(tokenAlts($, [T.Floor, T.Ceil, T.Ceiling], 'fn'));
    $.consume(T.LParen);
    $.sub('expression');
    $.option(() => { $.consume(T.To); $.consume(T.AnyWord, 0, 'unit'); });
    $.consume(T.RParen);
  });

  $.rule('existsExpression', () => {
    $.consume(T.Exists);
    $.consume(T.LParen);
    $.sub('query');
    $.consume(T.RParen);
  });

  $.rule('functionCall', () => {
    $.sub('identifier', 0, 'name');
    $.consume(T.LParen);
    $.option(() => {
      $.or([
        { ALT: () => $.consume(T.Star, 0, 'star') },
        {
          ALT: () => {
            $.option(() => $.or(tokenAlts($, [T.Distinct, T.All], 'quantifier'), 1), 1);
            jsonObjectEntry($, 0);
            $.many(() => { $.consume(T.Comma); jsonObjectEntry($, 1); });
          },
        },
      ]);
      // one token and a gate: NULL and words start both an argument and a JSON clause, and LL(4) over
      // the arguments' paths (with JSON_OBJECT's optional KEY and VALUE) took minutes to build
    }, 0, () => !tokenMatcher($.la(1), T.RParen) && !startsJsonClause($), 1);
    // the clauses of JSON_VALUE / JSON_QUERY: RETURNING type, ... ON EMPTY / ON ERROR, WITH ... WRAPPER
    $.many(() => $.sub('jsonClause', 0, 'jsonClause'), 4, () => startsJsonClause($));
    $.consume(T.RParen);
    $.option(() => {
      $.consume(T.Filter);
      $.consume(T.LParen, 1);
      $.consume(T.Where);
      $.sub('expression', 2, 'filter');
      $.consume(T.RParen, 1);
    }, 2);
    $.option(() => {
      $.consume(T.Over);
      // OVER (...) or OVER w (a window of the SELECT's WINDOW clause)
      $.or([{ ALT: () => $.sub('overClause') }, { ALT: () => $.sub('identifier', 9, 'overName') }], 4);
    }, 3);
  });

  // OVER ( [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE [BETWEEN a AND b | a]] )
  $.rule('overClause', () => {
    $.consume(T.LParen);
    $.option(() => {
      $.consume(T.Partition);
      $.consume(T.By);
      $.sub('expression', 0, 'partition');
      $.many(() => { $.consume(T.Comma); $.sub('expression', 1, 'partition'); });
    });
    $.option(() => {
      $.consume(T.Order);
      $.consume(T.By, 1);
      $.sub('orderItem', 0, 'order');
      $.many(() => { $.consume(T.Comma, 1); $.sub('orderItem', 1, 'order'); }, 1);
    }, 1);
    $.option(() => {
      $.or(tokenAlts($, [T.Rows, T.Range], 'frameUnit'));
      $.or([
        { ALT: () => { $.consume(T.Between); $.sub('frameBound', 0, 'start'); $.consume(T.And); $.sub('frameBound', 1, 'end'); } },
        { ALT: () => $.sub('frameBound', 2, 'start') },
      ], 1);
    }, 2);
    $.consume(T.RParen);
  });

  $.rule('frameBound', () => {
    $.or([
      { ALT: () => { $.consume(T.Unbounded); $.or(tokenAlts($, [T.Preceding, T.Following], 'direction'), 1); } },
      { ALT: () => { $.consume(T.Current); $.consume(T.Row); } },
      { ALT: () => { $.sub('expression'); $.or(tokenAlts($, [T.Preceding, T.Following], 'direction', 1), 2); } },
    ]);
  });

  $.rule('columnRef', () => {
    $.sub('identifier', 0, 'part');
    $.many(() => { $.consume(T.Dot); $.sub('identifier', 1, 'part'); });
  });

  $.rule('qualifiedName', () => {
    $.sub('identifier', 0, 'part');
    $.many(() => { $.consume(T.Dot); $.sub('identifier', 1, 'part'); });
  });

  $.rule('identifier', () => {
    $.consume(T.Identifier);
  });
}
