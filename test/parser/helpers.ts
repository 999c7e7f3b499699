/** Test helpers: AST shapes without source spans, and the single statement of a text. */
import type { Expr, Query, Statement } from '../../src/parser/ast.js';
import { parseExpression, parseStatement } from '../../src/parser/parse.js';

/** A deep copy without `span` keys, to compare shapes. */
export function noSpans<T>(x: T): unknown {
  if (Array.isArray(x)) return x.map(noSpans);
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'span').map(([k, v]) => [k, noSpans(v)]));
  }
  return x;
}

export const col = (...path: string[]) => ({ kind: 'column', path: path.map((value) => ({ value, quoted: false })) });
export const num = (value: string) => ({ kind: 'literal', literalType: 'number', value });
export const str = (value: string) => ({ kind: 'literal', literalType: 'string', value });
export const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });

export const shape = (sql: string): unknown => noSpans(parseExpression(sql));

export function query(sql: string): Query {
  const s: Statement = parseStatement(sql);
  if (s.kind !== 'query') throw new Error(`expected a query, got ${s.kind}`);
  return s.query;
}

export function expr(sql: string): Expr {
  return parseExpression(sql);
}
