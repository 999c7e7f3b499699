/**
 * The chevrotain CstParser for Weir's SQL, and the statement rules.
 *
 * One parser instance is built lazily and reused (building it analyses the whole grammar). The
 * script is split into statements at `;` before parsing (see parse.ts), and each statement is
 * parsed on its own with `statementChunk`, so one syntax error never hides the next statement's.
 * Error recovery is on: chevrotain records the error and keeps going inside the statement; only
 * the first error of each statement is reported, since later ones are mostly its echoes.
 */
import type { CstNode, IToken, ParserMethod, TokenType } from 'chevrotain';
import { CstParser, tokenMatcher } from './chevrotain-runtime.js';
import { CachedLookahead } from './lookahead-cache.js';
import { InternalError } from '../common/errors.js';
import type { Dsl, RuleName } from './grammar-dsl.js';
import { defineExpressionRules, startsQuery, tokenAlts } from './grammar-expressions.js';
import { defineQueryRules } from './grammar-query.js';
import { defineTypeRules } from './grammar-types.js';
import { defineCollectionRules } from './grammar-collections.js';
import { syntaxErrorMessages } from './syntax-errors.js';
import * as T from './tokens.js';

function defineStatementRules($: Dsl): void {
  $.rule('statementChunk', () => {
    $.sub('statement');
    $.option(() => $.consume(T.Semicolon));
  });

  $.rule('statement', () => {
    $.or([
      { ALT: () => $.sub('createStatement') },
      { ALT: () => $.sub('insertStatement') },
      { ALT: () => $.sub('query') },
      { ALT: () => $.sub('setStatement') },
      { ALT: () => $.sub('explainStatement') },
      { ALT: () => $.sub('dropStatement') },
    ]);
  });

  $.rule('createStatement', () => {
    $.consume(T.Create);
    $.option(() => { $.consume(T.Temporary); $.option(() => $.consume(T.System), 1); });
    $.or([
      { ALT: () => $.sub('createTable') },
      { ALT: () => $.sub('createView') },
      { ALT: () => $.sub('createFunction') },
    ]);
  });

  $.rule('createTable', () => {
    $.consume(T.Table);
    $.option(() => { $.consume(T.If, 0, 'ifNotExists'); $.consume(T.Not); $.consume(T.Exists); });
    $.sub('qualifiedName');
    $.consume(T.LParen);
    $.sub('tableElement', 0, 'element');
    $.many(() => { $.consume(T.Comma); $.sub('tableElement', 1, 'element'); });
    $.consume(T.RParen);
    $.option(() => { $.consume(T.Comment); $.consume(T.StringLiteral); }, 1);
    $.option(() => {
      $.consume(T.Partitioned);
      $.consume(T.By);
      $.consume(T.LParen, 1);
      $.sub('identList', 0, 'partitionedBy');
      $.consume(T.RParen, 1);
    }, 2);
    $.option(() => {
      $.consume(T.With);
      $.consume(T.LParen, 2);
      $.option(() => {
        $.sub('tableOption', 0, 'option');
        $.many(() => { $.consume(T.Comma, 1); $.sub('tableOption', 1, 'option'); }, 1);
      }, 4);
      $.consume(T.RParen, 2);
    }, 3);
  });

  $.rule('tableElement', () => {
    $.or([
      {
        GATE: () => tokenMatcherPair($, T.Watermark, T.For),
        ALT: () => {
          $.consume(T.Watermark);
          $.consume(T.For);
          $.sub('identifier', 0, 'watermarkColumn');
          $.consume(T.As);
          $.sub('expression', 0, 'watermarkExpr');
        },
        IGNORE_AMBIGUITIES: true,
      },
      {
        ALT: () => {
          $.option(() => { $.consume(T.Constraint); $.sub('identifier', 1, 'constraintName'); });
          $.consume(T.Primary, 0, 'primaryKey');
          $.consume(T.Key);
          $.consume(T.LParen);
          $.sub('identList', 0, 'keyColumns');
          $.consume(T.RParen);
          $.consume(T.Not);
          $.consume(T.Enforced);
        },
      },
      {
        ALT: () => {
          $.sub('identifier', 2, 'name');
          $.or([
            { ALT: () => { $.consume(T.As, 1); $.sub('expression', 1, 'computed'); } },
            {
              ALT: () => {
                $.sub('dataType');
                $.many(() => $.sub('columnConstraint'));
                $.option(() => { $.consume(T.Comment); $.consume(T.StringLiteral); }, 1);
              },
            },
          ], 1);
        },
        IGNORE_AMBIGUITIES: true,
      },
    ]);
  });

  $.rule('columnConstraint', () => {
    $.or([
      { ALT: () => { $.consume(T.Not, 0, 'notNull'); $.consume(T.Null); } },
      { ALT: () => $.consume(T.Null, 1, 'nullable') },
      { ALT: () => { $.consume(T.Primary, 0, 'primaryKey'); $.consume(T.Key); $.consume(T.Not, 1); $.consume(T.Enforced); } },
    ]);
  });

  // 'key' = 'value'; also unquoted dotted keys (connector.type = 'filesystem')
  $.rule('tableOption', () => {
    $.or([
      { ALT: () => $.consume(T.StringLiteral, 0, 'key') },
      { ALT: () => $.sub('setWord', 0, 'keyWord') },
    ]);
    $.consume(T.Eq);
    $.or([
      { ALT: () => $.consume(T.StringLiteral, 1, 'value') },
      { ALT: () => $.sub('setWord', 1, 'valueWord') },
    ], 1);
  });

  $.rule('createView', () => {
    $.consume(T.View);
    $.option(() => { $.consume(T.If, 0, 'ifNotExists'); $.consume(T.Not); $.consume(T.Exists); });
    $.sub('qualifiedName');
    $.option(() => { $.consume(T.LParen); $.sub('identList'); $.consume(T.RParen); }, 1);
    $.consume(T.As);
    $.sub('query');
  });

  $.rule('createFunction', () => {
    $.consume(T.FunctionKw);
    $.option(() => { $.consume(T.If, 0, 'ifNotExists'); $.consume(T.Not); $.consume(T.Exists); });
    $.sub('qualifiedName');
    $.consume(T.As);
    $.consume(T.StringLiteral, 0, 'path');
    $.option(() => { $.consume(T.Language); $.sub('identifier', 0, 'language'); }, 1);
  });

  $.rule('insertStatement', () => {
    $.consume(T.Insert);
    $.or(tokenAlts($, [T.Into, T.Overwrite], 'mode'));
    $.option(() => $.consume(T.Table));
    $.sub('qualifiedName');
    $.option(() => { $.consume(T.LParen); $.sub('identList'); $.consume(T.RParen); }, 1,
      () => tokenMatcherPair($, T.LParen, T.Identifier) && !startsQuery($, 1));
    $.sub('query');
  });

  // SET; SET 'k' = 'v'; SET k.x-y = v
  $.rule('setStatement', () => {
    $.consume(T.SetKw);
    $.option(() => {
      $.or([
        { ALT: () => $.consume(T.StringLiteral, 0, 'key') },
        { ALT: () => $.sub('setWord', 0, 'keyWord') },
      ]);
      $.option(() => {
        $.consume(T.Eq);
        $.or([
          ...tokenAlts($, [T.StringLiteral], 'value', 1),
          { ALT: () => $.sub('setWord', 1, 'valueWord') },
        ], 1);
      }, 1);
    });
  });

  // An unquoted key or value: words, numbers, dots and dashes, taken as written.
  $.rule('setWord', () => {
    $.atLeastOne(() => $.or(tokenAlts($, [T.AnyWord, T.NumberLiteral, T.Dot, T.Minus], 'part')));
  });

  $.rule('explainStatement', () => {
    $.consume(T.Explain);
    $.option(() => { $.consume(T.Plan); $.consume(T.For); });
    $.sub('statement');
  });

  $.rule('dropStatement', () => {
    $.consume(T.Drop);
    $.option(() => { $.consume(T.Temporary); $.option(() => $.consume(T.System), 1); });
    $.or(tokenAlts($, [T.Table, T.View, T.FunctionKw], 'objectKind'));
    $.option(() => { $.consume(T.If, 0, 'ifExists'); $.consume(T.Exists); }, 2);
    $.sub('qualifiedName');
  });
}

function tokenMatcherPair($: Dsl, first: TokenType, second: TokenType): boolean {
  return tokenMatcher($.la(1), first) && tokenMatcher($.la(2), second);
}

export const MAX_LOOKAHEAD = 4;

export class SqlParser extends CstParser {
  private readonly weirRules = new Map<RuleName, ParserMethod<[], CstNode>>();

  /**
   * `lookahead`: each decision built when first reached, from the paths stored ahead of time
   * (lookahead-cache.ts); tests pass one that computes them as chevrotain does.
   */
  constructor(readonly lookahead = new CachedLookahead(T.ALL_TOKENS, MAX_LOOKAHEAD)) {
    super(T.ALL_TOKENS as TokenType[], {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: MAX_LOOKAHEAD,
      lookaheadStrategy: lookahead,
      errorMessageProvider: syntaxErrorMessages,
      // The grammar's validations (ambiguity, left recursion) cost seconds at every start; the parser
      // test suite runs them (WEIR_VALIDATE_GRAMMAR=1) so a broken grammar is still caught.
      skipValidations: process.env.WEIR_VALIDATE_GRAMMAR !== '1',
    });
    const dsl = this.makeDsl();
    defineExpressionRules(dsl);
    defineTypeRules(dsl);
    defineCollectionRules(dsl);
    defineQueryRules(dsl);
    defineStatementRules(dsl);
    this.performSelfAnalysis();
  }

  /** Parse the current input with one rule; the caller reads `errors` afterwards. */
  parseWith(rule: RuleName, tokens: IToken[]): CstNode {
    this.input = tokens;
    return this.ruleByName(rule).call(this);
  }

  /** The next token to parse: after a parse stopped by an exception, the token it stopped at. */
  currentToken(): IToken {
    return this.LA(1);
  }

  private ruleByName(name: RuleName): ParserMethod<[], CstNode> {
    const r = this.weirRules.get(name);
    if (!r) throw new InternalError(`grammar rule ${name} is not defined`);
    return r;
  }

  private makeDsl(): Dsl {
    const labelled = (label: string | undefined) => (label ? { LABEL: label } : undefined);
    return {
      rule: (name, impl) => {
        this.weirRules.set(name, this.RULE(name, impl));
      },
      consume: (tok, idx = 0, label) => this.consume(idx, tok, labelled(label)),
      sub: (name, idx = 0, label) => this.subrule(idx, this.ruleByName(name), labelled(label)),
      option: (def, idx = 0, gate, maxLookahead) => {
        this.option(idx, gate ? { GATE: gate, DEF: def, ...(maxLookahead ? { MAX_LOOKAHEAD: maxLookahead } : {}) } : def);
      },
      or: (alts, idx = 0) => {
        this.or(idx, alts);
      },
      many: (def, idx = 0, gate) => {
        this.many(idx, gate ? { GATE: gate, DEF: def } : def);
      },
      atLeastOne: (def, idx = 0) => {
        this.atLeastOne(idx, def);
      },
      la: (i) => this.LA(i),
    };
  }
}

let instance: SqlParser | undefined;

export function sqlParser(): SqlParser {
  instance ??= new SqlParser();
  return instance;
}
