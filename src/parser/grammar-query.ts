/**
 * Query rules: WITH, set operations (INTERSECT binds tighter than UNION/EXCEPT), SELECT, FROM with
 * joins, subqueries, lookup joins (`FOR SYSTEM_TIME AS OF`) and window table functions
 * (`TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))`), ORDER BY, LIMIT, OFFSET.
 */
import type { IToken } from 'chevrotain';
import { EOF, tokenMatcher } from './chevrotain-runtime.js';
import type { Dsl } from './grammar-dsl.js';
import { startsQuery, tokenAlts } from './grammar-expressions.js';
import * as T from './tokens.js';
import { startsUnnest } from './grammar-collections.js';

/** `a.*`, `t.b.*`: identifiers separated by dots, ending in `.*` (needs unbounded lookahead). */
function atQualifiedStar($: Dsl): boolean {
  let i = 1;
  for (;;) {
    if (!tokenMatcher($.la(i), T.Identifier) || !tokenMatcher($.la(i + 1), T.Dot)) return false;
    if (tokenMatcher($.la(i + 2), T.Star)) return true;
    i += 2;
  }
}

/** Whether `t` is the (unquoted) word `w`: GROUPING, SETS, ROLLUP and CUBE are not keywords of their own. */
function wordIs(t: IToken, w: string): boolean {
  return tokenMatcher(t, T.Identifier) && t.image.toUpperCase() === w;
}

/**
 * At `(`: whether the parenthesis holds a list `(a, b)` at its top level (a grouping set) rather
 * than one parenthesized expression `(a + b)`, which is an expression.
 */
function parenthesizedList($: Dsl): boolean {
  let depth = 0;
  for (let i = 1; ; i++) {
    const t = $.la(i);
    if (t.tokenType === EOF) return false;
    if (tokenMatcher(t, T.LParen)) depth++;
    else if (tokenMatcher(t, T.RParen)) {
      if (--depth === 0) return false;
    } else if (depth === 1 && tokenMatcher(t, T.Comma)) return true;
  }
}

export function defineQueryRules($: Dsl): void {
  $.rule('query', () => {
    $.option(() => $.sub('withClause'));
    $.sub('setExpression');
    $.option(() => {
      $.consume(T.Order);
      $.consume(T.By);
      $.sub('orderItem', 0, 'order');
      $.many(() => { $.consume(T.Comma); $.sub('orderItem', 1, 'order'); });
    }, 1);
    $.option(() => { $.consume(T.Limit); $.sub('expression', 0, 'limit'); }, 2);
    $.option(() => {
      $.consume(T.Offset);
      $.sub('expression', 1, 'offset');
      $.option(() => $.or(tokenAlts($, [T.Rows, T.Row], 'rows')), 4);
    }, 3);
  });

  $.rule('withClause', () => {
    $.consume(T.With);
    $.sub('commonTableExpr', 0, 'cte');
    $.many(() => { $.consume(T.Comma); $.sub('commonTableExpr', 1, 'cte'); });
  });

  $.rule('commonTableExpr', () => {
    $.sub('identifier', 0, 'name');
    $.option(() => { $.consume(T.LParen); $.sub('identList'); $.consume(T.RParen); });
    $.consume(T.As);
    $.consume(T.LParen, 1);
    $.sub('query');
    $.consume(T.RParen, 1);
  });

  // UNION / EXCEPT level; each operator is `op [ALL|DISTINCT]` directly before its right operand.
  $.rule('setExpression', () => {
    $.sub('intersectExpression', 0, 'operand');
    $.many(() => {
      $.or(tokenAlts($, [T.Union, T.Except], 'op'));
      $.option(() => $.or(tokenAlts($, [T.All, T.Distinct], 'quantifier'), 1));
      $.sub('intersectExpression', 1, 'operand');
    });
  });

  $.rule('intersectExpression', () => {
    $.sub('queryPrimary', 0, 'operand');
    $.many(() => {
      $.consume(T.Intersect, 0, 'op');
      $.option(() => $.or(tokenAlts($, [T.All, T.Distinct], 'quantifier')));
      $.sub('queryPrimary', 1, 'operand');
    });
  });

  $.rule('queryPrimary', () => {
    $.or([
      { ALT: () => $.sub('select') },
      { ALT: () => { $.consume(T.LParen); $.sub('query'); $.consume(T.RParen); } },
    ]);
  });

  $.rule('select', () => {
    $.consume(T.Select);
    $.option(() => $.or(tokenAlts($, [T.Distinct, T.All], 'quantifier')));
    $.sub('selectItem', 0, 'item');
    $.many(() => { $.consume(T.Comma); $.sub('selectItem', 1, 'item'); });
    $.option(() => { $.consume(T.From); $.sub('fromClause'); }, 1);
    $.option(() => { $.consume(T.Where); $.sub('expression', 0, 'where'); }, 2);
    $.option(() => {
      $.consume(T.Group);
      $.consume(T.By);
      $.sub('groupingElement', 0, 'groupBy');
      $.many(() => { $.consume(T.Comma, 1); $.sub('groupingElement', 1, 'groupBy'); }, 1);
    }, 3);
    $.option(() => { $.consume(T.Having); $.sub('expression', 3, 'having'); }, 4);
    $.option(() => {
      $.consume(T.WindowKw);
      $.sub('windowDef', 0, 'window');
      $.many(() => { $.consume(T.Comma, 2); $.sub('windowDef', 1, 'window'); }, 2);
    }, 5);
  });

  // `w AS (PARTITION BY ... ORDER BY ... ROWS ...)` of a WINDOW clause
  $.rule('windowDef', () => {
    $.sub('identifier', 0, 'name');
    $.consume(T.As);
    $.sub('overClause');
  });

  // a GROUP BY element: an expression, GROUPING SETS (set, ...), ROLLUP (e, ...) or CUBE (e, ...)
  // (GROUPING, SETS, ROLLUP and CUBE are not reserved: told apart by the tokens after them)
  $.rule('groupingElement', () => {
    $.or([
      {
        GATE: () => wordIs($.la(1), 'GROUPING') && wordIs($.la(2), 'SETS'),
        ALT: () => {
          $.consume(T.Identifier, 0, 'groupingSets');
          $.consume(T.Identifier, 1);
          $.consume(T.LParen);
          $.sub('groupingSet', 0, 'set');
          $.many(() => { $.consume(T.Comma); $.sub('groupingSet', 1, 'set'); });
          $.consume(T.RParen);
        },
        IGNORE_AMBIGUITIES: true,
      },
      {
        GATE: () => (wordIs($.la(1), 'ROLLUP') || wordIs($.la(1), 'CUBE')) && tokenMatcher($.la(2), T.LParen),
        ALT: () => {
          $.consume(T.Identifier, 2, 'multiple');
          $.consume(T.LParen, 1);
          $.sub('groupingSet', 2, 'set');
          $.many(() => { $.consume(T.Comma, 1); $.sub('groupingSet', 3, 'set'); }, 1);
          $.consume(T.RParen, 1);
        },
        IGNORE_AMBIGUITIES: true,
      },
      { ALT: () => $.sub('expression', 0, 'expr'), IGNORE_AMBIGUITIES: true },
    ]);
  });

  // one set of GROUPING SETS (or one element of ROLLUP/CUBE): (), (a, b), or an expression
  $.rule('groupingSet', () => {
    $.or([
      {
        GATE: () => tokenMatcher($.la(1), T.LParen) && (tokenMatcher($.la(2), T.RParen) || parenthesizedList($)),
        ALT: () => {
          $.consume(T.LParen);
          $.option(() => {
            $.sub('expression', 0, 'expr');
            $.many(() => { $.consume(T.Comma); $.sub('expression', 1, 'expr'); });
          });
          $.consume(T.RParen);
        },
        IGNORE_AMBIGUITIES: true,
      },
      { ALT: () => $.sub('expression', 2, 'expr'), IGNORE_AMBIGUITIES: true },
    ]);
  });

  $.rule('selectItem', () => {
    $.or([
      { GATE: () => atQualifiedStar($), ALT: () => $.sub('qualifiedStar'), IGNORE_AMBIGUITIES: true },
      { ALT: () => $.consume(T.Star, 0, 'star') },
      { ALT: () => { $.sub('expression'); $.option(() => $.sub('alias')); }, IGNORE_AMBIGUITIES: true },
    ]);
  });

  $.rule('qualifiedStar', () => {
    $.sub('identifier', 0, 'part');
    $.many(() => { $.consume(T.Dot); $.sub('identifier', 1, 'part'); }, 0, () => !tokenMatcher($.la(2), T.Star));
    $.consume(T.Dot, 1);
    $.consume(T.Star);
  });

  $.rule('alias', () => {
    $.option(() => $.consume(T.As));
    $.sub('identifier');
  });

  // `a, b` is a cross join; the visitor folds the list left to right.
  $.rule('fromClause', () => {
    $.sub('joinedTable', 0, 'table');
    $.many(() => { $.consume(T.Comma); $.sub('joinedTable', 1, 'table'); });
  });

  $.rule('joinedTable', () => {
    $.sub('tablePrimary');
    $.many(() => $.sub('joinClause'));
  });

  $.rule('joinClause', () => {
    $.or([
      { ALT: () => { $.consume(T.Cross, 0, 'kind'); $.consume(T.Join); $.sub('tablePrimary', 0, 'right'); } },
      {
        ALT: () => {
          $.option(() => {
            $.or([
              { ALT: () => $.consume(T.Inner, 0, 'kind') },
              { ALT: () => { $.consume(T.Left, 0, 'kind'); $.option(() => $.consume(T.Outer), 1); } },
              { ALT: () => { $.consume(T.Right, 0, 'kind'); $.option(() => $.consume(T.Outer, 1), 2); } },
              { ALT: () => { $.consume(T.Full, 0, 'kind'); $.option(() => $.consume(T.Outer, 2), 3); } },
            ], 1);
          });
          $.consume(T.Join, 1);
          $.sub('tablePrimary', 1, 'right');
          $.or([
            { ALT: () => { $.consume(T.On); $.sub('expression', 0, 'on'); } },
            { ALT: () => { $.consume(T.Using); $.consume(T.LParen); $.sub('identList', 0, 'using'); $.consume(T.RParen); } },
          ], 2);
        },
      },
    ]);
  });

  $.rule('tablePrimary', () => {
    $.or([
      { GATE: () => startsUnnest($), ALT: () => $.sub('unnestTable'), IGNORE_AMBIGUITIES: true },
      {
        // LATERAL TABLE(f(t.a, …)) [AS] T [(c1, c2)]: a table function over each row to its left
        ALT: () => {
          $.consume(T.Lateral);
          $.consume(T.Table, 1);
          $.consume(T.LParen, 3);
          $.sub('expression', 1, 'lateralCall');
          $.consume(T.RParen, 3);
          $.option(() => {
            $.sub('alias', 3);
            $.option(() => { $.consume(T.LParen, 4); $.sub('identList', 1, 'lateralColumns'); $.consume(T.RParen, 4); }, 6);
          }, 5);
        },
      },
      {
        ALT: () => {
          $.consume(T.Table);
          $.consume(T.LParen);
          $.sub('tableFunctionCall');
          $.consume(T.RParen);
          $.option(() => $.sub('alias'));
        },
      },
      {
        ALT: () => {
          $.consume(T.LParen, 1);
          $.sub('query');
          $.consume(T.RParen, 1);
          $.option(() => {
            $.sub('alias', 1);
            $.option(() => { $.consume(T.LParen, 2); $.sub('identList', 0, 'columnAliases'); $.consume(T.RParen, 2); }, 2);
          }, 1);
        },
      },
      {
        ALT: () => {
          $.sub('qualifiedName');
          $.option(() => {
            $.consume(T.For);
            $.consume(T.SystemTime);
            $.consume(T.As);
            $.consume(T.Of);
            $.sub('expression', 0, 'asOf');
          }, 3);
          $.option(() => $.sub('alias', 2), 4);
        },
      },
    ]);
  });

  $.rule('tableFunctionCall', () => {
    $.sub('identifier', 0, 'name');
    $.consume(T.LParen);
    $.option(() => {
      $.sub('tableFunctionArg', 0, 'arg');
      $.many(() => { $.consume(T.Comma); $.sub('tableFunctionArg', 1, 'arg'); });
    });
    $.consume(T.RParen);
  });

  // [name =>] (TABLE t [PARTITION BY k, ...] | DESCRIPTOR(col, ...) | expression)
  $.rule('tableFunctionArg', () => {
    $.option(() => { $.consume(T.AnyWord, 0, 'argName'); $.consume(T.Arrow); }, 0, () => tokenMatcher($.la(2), T.Arrow));
    $.or([
      {
        ALT: () => {
          $.consume(T.Table);
          $.sub('qualifiedName');
          // PARTITION BY k | PARTITION BY (k1, k2); after `k,` comes the next argument, not a key.
          $.option(() => {
            $.consume(T.Partition);
            $.consume(T.By);
            $.or([
              {
                GATE: () => tokenMatcher($.la(1), T.LParen) && !startsQuery($, 2),
                ALT: () => {
                  $.consume(T.LParen, 1);
                  $.sub('expression', 0, 'partition');
                  $.many(() => { $.consume(T.Comma, 1); $.sub('expression', 1, 'partition'); });
                  $.consume(T.RParen, 1);
                },
                IGNORE_AMBIGUITIES: true,
              },
              { ALT: () => $.sub('expression', 3, 'partition'), IGNORE_AMBIGUITIES: true },
            ], 1);
          }, 1);
        },
      },
      {
        ALT: () => {
          $.consume(T.Descriptor);
          $.consume(T.LParen);
          $.sub('identList', 0, 'descriptor');
          $.consume(T.RParen);
        },
      },
      { ALT: () => $.sub('expression', 2) },
    ]);
  });

  $.rule('orderItem', () => {
    $.sub('expression');
    $.option(() => $.or(tokenAlts($, [T.Asc, T.Desc], 'direction')));
    $.option(() => { $.consume(T.Nulls); $.or(tokenAlts($, [T.First, T.Last], 'nulls'), 1); }, 1);
  });

  $.rule('identList', () => {
    $.sub('identifier', 0, 'item');
    $.many(() => { $.consume(T.Comma); $.sub('identifier', 1, 'item'); });
  });
}
