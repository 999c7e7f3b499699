/**
 * Syntax error messages that name what was expected and what was found, and the conversion of
 * chevrotain's lexer and parser errors into positioned WeirErrors.
 *
 * Messages read `expected ')' but found 'FROM'`, `expected an expression but found 'FROM'`, or at
 * the end of the text `unexpected end of input: expected ';'`. Where a whole rule failed to start
 * (no alternative matched), the rule's description is used ("an expression", "a type", ...);
 * otherwise the first tokens the grammar could take are listed.
 */
import type { ILexingError, IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { EOF } from './chevrotain-runtime.js';
import { WeirError } from '../common/errors.js';
import { positionAt, tokenSpan } from './spans.js';
import { AnyWord, StringLiteral } from './tokens.js';

const EXPRESSION = 'an expression';

const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  statement: 'a statement (CREATE, INSERT, SELECT, SET, EXPLAIN or DROP)',
  createStatement: 'TABLE, VIEW or FUNCTION',
  queryPrimary: "SELECT or a query in '(...)'",
  selectItem: EXPRESSION,
  postfix: EXPRESSION,
  frameBound: 'a window frame bound (UNBOUNDED PRECEDING, CURRENT ROW or an expression)',
  tablePrimary: 'a table name, a subquery or TABLE(...)',
  tableFunctionArg: 'a table function argument (TABLE t, DESCRIPTOR(...) or an expression)',
  tableElement: 'a column definition, WATERMARK FOR or PRIMARY KEY',
  dataType: 'a type',
  setWord: 'a key',
};

/** Rules in which a bare word is a time unit. */
const UNIT_RULES = new Set(['intervalLiteral', 'extractExpression', 'floorCeilExpression', 'dataType']);

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

function listOf(items: readonly string[]): string {
  const unique = [...new Set(items)];
  if (unique.length === 0) return 'something else';
  if (unique.length === 1) return unique[0]!;
  const last = unique[unique.length - 1]!;
  const head = unique.slice(0, -1).join(', ');
  return unique.length === 2 ? `${head} or ${last}` : `one of ${head} or ${last}`;
}

function found(tok: IToken): string {
  if (tok.tokenType === StringLiteral) return `the string ${tok.image}`;
  return `'${tok.image}'`;
}

export function expectedButFound(expected: string, actual: IToken): string {
  if (actual.tokenType === EOF) return `unexpected end of input: expected ${expected}`;
  return `expected ${expected} but found ${found(actual)}`;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string {
  return listOf(paths.filter((p) => p.length > 0).map((p) => label(p[0]!)));
}

export const syntaxErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    const what = expected === AnyWord && UNIT_RULES.has(ruleName) ? 'a time unit' : label(expected);
    return expectedButFound(what, actual);
  },
  buildNotAllInputParsedMessage({ firstRedundant, ruleName }) {
    return expectedButFound(ruleName === 'statementChunk' || ruleName === 'statement' ? "';'" : 'end of input', firstRedundant);
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    // Flink has no CREATE AGGREGATE FUNCTION either: the module's export says what a function is
    if (ruleName === 'createStatement' && actual[0]?.image.toUpperCase() === 'AGGREGATE') {
      return "CREATE AGGREGATE FUNCTION is not supported: write CREATE FUNCTION name AS 'module.js' with a module whose export has "
        + "kind 'aggregate' ({ kind: 'aggregate', returns, create, accumulate, retract, merge, result })";
    }
    const what = RULE_DESCRIPTIONS[ruleName] ?? firstTokens(expectedPathsPerAlt.flat());
    return expectedButFound(what, actual[0]!);
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const what = RULE_DESCRIPTIONS[ruleName] ?? firstTokens(expectedIterationPaths);
    return expectedButFound(what, actual[0]!);
  },
};

/** A parser error as a WeirError; at the end of input it points just after the last token. */
export function fromRecognitionError(e: IRecognitionException, text: string, lastToken: IToken | undefined, file?: string): WeirError {
  const tok = e.token;
  const atEnd = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
  const span = atEnd
    ? positionAt(text, lastToken ? (lastToken.endOffset ?? lastToken.startOffset) + 1 : text.length)
    : tokenSpan(tok);
  return new WeirError('PARSE', e.message, span, file);
}

/**
 * Lexer errors as WeirErrors. An unterminated string, quoted identifier or comment swallows the
 * rest of the text, so nothing after it is reported.
 */
export function fromLexingErrors(errors: readonly ILexingError[], text: string, file?: string): WeirError[] {
  const out: WeirError[] = [];
  for (const e of errors) {
    const ch = text[e.offset] ?? '';
    const span = { line: e.line ?? 1, column: e.column ?? 1, offset: e.offset, length: e.length };
    if (ch === "'") {
      out.push(new WeirError('PARSE', 'unterminated string literal: expected a closing quote', span, file));
      break;
    }
    if (ch === '`') {
      out.push(new WeirError('PARSE', 'unterminated quoted identifier: expected a closing backtick', span, file));
      break;
    }
    if (text.startsWith('/*', e.offset)) {
      out.push(new WeirError('PARSE', "unterminated comment: expected '*/'", span, file));
      break;
    }
    out.push(new WeirError('PARSE', `unexpected character '${ch}'`, { ...span, length: 1 }, file));
  }
  return out;
}
