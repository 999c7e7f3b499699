/**
 * Type rules: ROW<name TYPE, ...> and ROW(name TYPE, ...), INTERVAL unit [TO unit], and named types
 * with parameters, element types (ARRAY<...>, refused later), PRECISION and time-zone suffixes.
 * Type names are identifiers here; cst-types.ts knows which names exist.
 */
import type { Dsl } from './grammar-dsl.js';
import * as T from './tokens.js';
import { tokenMatcher } from './chevrotain-runtime.js';

export function defineTypeRules($: Dsl): void {
  $.rule('dataType', () => {
    $.or([
      {
        ALT: () => {
          $.consume(T.Row);
          $.or([
            {
              ALT: () => {
                $.consume(T.Less);
                $.sub('rowField', 0, 'field');
                $.many(() => { $.consume(T.Comma); $.sub('rowField', 1, 'field'); });
                $.consume(T.Greater);
              },
            },
            {
              ALT: () => {
                $.consume(T.LParen);
                $.sub('rowField', 2, 'field');
                $.many(() => { $.consume(T.Comma, 1); $.sub('rowField', 3, 'field'); }, 1);
                $.consume(T.RParen);
              },
            },
          ], 1);
        },
      },
      {
        ALT: () => {
          $.consume(T.Interval);
          $.consume(T.AnyWord, 0, 'unit');
          $.option(() => { $.consume(T.LParen, 1); $.consume(T.NumberLiteral, 0, 'param'); $.consume(T.RParen, 1); });
          $.option(() => {
            $.consume(T.To);
            $.consume(T.AnyWord, 1, 'toUnit');
            $.option(() => { $.consume(T.LParen, 2); $.consume(T.NumberLiteral, 1, 'param'); $.consume(T.RParen, 2); }, 2);
          }, 1);
        },
      },
      {
        ALT: () => {
          $.sub('identifier', 0, 'name');
          $.option(() => $.consume(T.Precision), 3);
          $.option(() => {
            $.consume(T.LParen, 3);
            $.consume(T.NumberLiteral, 2, 'param');
            $.option(() => { $.consume(T.Comma, 2); $.consume(T.NumberLiteral, 3, 'param'); }, 5);
            $.consume(T.RParen, 3);
          }, 4);
          $.option(() => {
            $.consume(T.Less, 1);
            $.sub('dataType', 0, 'element');
            $.many(() => { $.consume(T.Comma, 3); $.sub('dataType', 1, 'element'); }, 2);
            $.consume(T.Greater, 1);
          }, 6);
          $.option(() => {
            $.or([
              { ALT: () => { $.consume(T.With, 0, 'localTimeZone'); $.consume(T.Local); $.consume(T.TimeKw); $.consume(T.Zone); } },
              { ALT: () => { $.consume(T.Without); $.consume(T.TimeKw, 1); $.consume(T.Zone, 1); } },
            ], 2);
            // gated: `RETURNING STRING WITHOUT ARRAY WRAPPER` (JSON_QUERY) goes on after a type
          }, 7, () => tokenMatcher($.la(2), T.Local) || tokenMatcher($.la(2), T.TimeKw));
          // the suffix forms `INT ARRAY`, `STRING MULTISET` (Flink's), any number of them
          $.many(() => $.consume(T.Identifier, 5, 'suffix'), 8, () => {
            const t = $.la(1);
            return t.tokenType !== T.QuotedIdentifier && ['ARRAY', 'MULTISET'].includes(t.image.toUpperCase()) && tokenMatcher(t, T.Identifier);
          });
        },
      },
    ]);
  });

  $.rule('rowField', () => {
    $.sub('identifier', 0, 'name');
    $.sub('dataType');
    $.option(() => {
      $.or([
        { ALT: () => { $.consume(T.Not, 0, 'notNull'); $.consume(T.Null); } },
        { ALT: () => $.consume(T.Null, 1) },
      ]);
    });
    $.option(() => $.consume(T.StringLiteral, 0, 'comment'), 1);
  });
}
