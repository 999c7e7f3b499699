/**
 * The parser's entry points.
 *
 * A script is lexed once, then split into statements at each `;` token (a `;` inside a string or a
 * comment is part of that token, so the split is exact). Each statement is parsed on its own: a
 * syntax error in one is reported and parsing resumes at the next, so one run reports every broken
 * statement. All errors are positioned WeirErrors with the file set; several come as WeirErrors.
 */
import type { CstNode, IToken } from 'chevrotain';
import { WeirError, WeirErrors } from '../common/errors.js';
import type { Expr, Script, Statement } from './ast.js';
import { buildExpression, buildStatement } from './cst-to-ast.js';
import { need } from './cst-util.js';
import { sqlParser } from './grammar.js';
import type { RuleName } from './grammar-dsl.js';
import { checkBracketNesting, checkTreeDepth } from './nesting.js';
import { positionAt, tokenSpan } from './spans.js';
import { fromLexingErrors, fromRecognitionError } from './syntax-errors.js';
import { Semicolon, sqlLexer, UnterminatedComment } from './tokens.js';
import { hintRefusal, statementRefusal } from './unsupported-statements.js';

const DEFAULT_FILE = '<sql>';

function raise(errors: WeirError[]): never {
  if (errors.length === 1) throw errors[0]!;
  throw new WeirErrors(errors);
}

function lex(text: string, file: string): IToken[] {
  const result = sqlLexer.tokenize(text);
  const errors = fromLexingErrors(result.errors, text, file);
  const open = result.tokens.find((t) => t.tokenType === UnterminatedComment);
  if (open) errors.push(new WeirError('PARSE', "unterminated comment: expected '*/'", { ...tokenSpan(open), length: 2 }, file));
  if (errors.length > 0) raise(errors.sort((a, b) => (a.span?.offset ?? 0) - (b.span?.offset ?? 0)));
  const hint = hintRefusal(result.groups['comments'] ?? [], file);
  if (hint) throw hint;
  return result.tokens;
}

/** Statements' tokens, each chunk with its closing `;` when it has one; empty statements dropped. */
function splitStatements(tokens: readonly IToken[]): IToken[][] {
  const chunks: IToken[][] = [];
  let current: IToken[] = [];
  for (const t of tokens) {
    if (t.tokenType === Semicolon) {
      if (current.length > 0) chunks.push([...current, t]);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Parse `tokens` with one rule and build its AST; the first syntax error of the run is thrown. */
function parseTokens<R extends object>(rule: RuleName, tokens: IToken[], text: string, file: string | undefined, build: (cst: CstNode) => R): R {
  checkBracketNesting(tokens, file);
  const parser = sqlParser();
  try {
    const cst = parser.parseWith(rule, tokens);
    const first = parser.errors[0];
    if (first) {
      throw statementRefusal(tokens, first.token, file)
        ?? fromRecognitionError(first, text, tokens[tokens.length - 1], file);
    }
    const ast = build(cst);
    checkTreeDepth(ast, file);
    return ast;
  } catch (e) {
    if (e instanceof WeirError) e.file ??= file;
    // The limits above keep every statement within the stack; should some nesting they do not
    // measure still exhaust it, the statement is refused like one over the limits, not as a bug.
    if (e instanceof RangeError && tokens[0]) {
      const at = parser.currentToken();
      const span = Number.isNaN(at.startOffset) ? tokenSpan(tokens[0]) : tokenSpan(at);
      throw new WeirError('PARSE', 'statement nested too deeply to parse: simplify its nesting', span, file);
    }
    throw e;
  }
}

export function parseScript(text: string, file: string = DEFAULT_FILE): Script {
  const statements: Statement[] = [];
  const errors: WeirError[] = [];
  for (const chunk of splitStatements(lex(text, file))) {
    try {
      statements.push(parseTokens('statementChunk', chunk, text, file, (cst) => buildStatement(need(cst, 'statement'), text)));
    } catch (e) {
      if (!(e instanceof WeirError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length > 0) raise(errors);
  return { statements };
}

export function parseStatement(text: string, file: string = DEFAULT_FILE): Statement {
  const { statements } = parseScript(text, file);
  if (statements.length === 1) return statements[0]!;
  if (statements.length === 0) {
    throw new WeirError('PARSE', 'unexpected end of input: expected a statement', positionAt(text, text.length), file);
  }
  throw new WeirError('PARSE', `expected one statement but found ${statements.length}`, statements[1]!.span, file);
}

export function parseExpression(text: string): Expr {
  const tokens = lex(text, DEFAULT_FILE);
  return parseTokens('expression', tokens, text, DEFAULT_FILE, (cst) => buildExpression(cst));
}
