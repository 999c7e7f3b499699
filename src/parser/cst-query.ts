/**
 * Queries from the CST: set operations, SELECT, FROM items and joins, window table functions.
 */
import type { CstNode, IToken } from 'chevrotain';
import { WeirError } from '../common/errors.js';
import type {
  CommonTableExpr, FromItem, JoinType, Query, SelectItem, SelectQuery, SetOperation, TableFunctionArg,
} from './ast.js';
import { expr, orderItem, overSpec } from './cst-expressions.js';
import { groupByClause } from './cst-grouping.js';
import { has, ident, identFromToken, identList, identParts, need, node, nodes, tok, toks } from './cst-util.js';
import { joinSpans, nodeSpan, tokenSpan } from './spans.js';
import * as T from './tokens.js';

/** A `query` node: WITH, the set expression, then ORDER BY / LIMIT / OFFSET for the whole of it. */
export function query(n: CstNode): Query {
  const body = setExpression(need(n, 'setExpression'));
  const withNode = node(n, 'withClause');
  const ctes = withNode ? nodes(withNode, 'cte').map(commonTableExpr) : [];
  const orderBy = nodes(n, 'order').map(orderItem);
  const limitNode = node(n, 'limit');
  const offsetNode = node(n, 'offset');
  if (ctes.length === 0 && orderBy.length === 0 && !limitNode && !offsetNode) return body;
  // `(SELECT ... ORDER BY a) ORDER BY b`: the AST has one tail per query, so a second one is refused.
  const clash = (what: string, already: boolean): void => {
    if (already) throw new WeirError('UNSUPPORTED', `a second ${what} on a parenthesised query is not supported`, nodeSpan(n));
  };
  clash('ORDER BY', orderBy.length > 0 && body.orderBy.length > 0);
  clash('LIMIT', !!limitNode && body.limit !== undefined);
  clash('OFFSET', !!offsetNode && body.offset !== undefined);
  return {
    ...body,
    with: [...ctes, ...body.with],
    orderBy: orderBy.length > 0 ? orderBy : body.orderBy,
    limit: limitNode ? expr(limitNode) : body.limit,
    offset: offsetNode ? expr(offsetNode) : body.offset,
    span: nodeSpan(n),
  };
}

function commonTableExpr(n: CstNode): CommonTableExpr {
  return { name: ident(need(n, 'name')), columns: identList(node(n, 'identList')), query: query(need(n, 'query')), span: nodeSpan(n) };
}

/**
 * Folds `a op [ALL|DISTINCT] b op c ...` left to right. A quantifier belongs to the operator just
 * before it; some operators have none, so they are matched by position, not by index.
 */
function foldSetOps(operands: Query[], ops: IToken[], quantifiers: IToken[]): Query {
  let left = operands[0]!;
  ops.forEach((op, i) => {
    const right = operands[i + 1]!;
    const q = quantifiers.find((t) => t.startOffset > op.startOffset && t.startOffset < right.span.offset);
    const result: SetOperation = {
      kind: 'setOperation',
      op: op.image.toUpperCase() as SetOperation['op'],
      all: q?.tokenType === T.All,
      left,
      right,
      with: [],
      orderBy: [],
      limit: undefined,
      offset: undefined,
      span: joinSpans(left.span, right.span),
    };
    left = result;
  });
  return left;
}

function setExpression(n: CstNode): Query {
  return foldSetOps(nodes(n, 'operand').map(intersectExpression), toks(n, 'op'), toks(n, 'quantifier'));
}

function intersectExpression(n: CstNode): Query {
  return foldSetOps(nodes(n, 'operand').map(queryPrimary), toks(n, 'op'), toks(n, 'quantifier'));
}

function queryPrimary(n: CstNode): Query {
  const s = node(n, 'select');
  return s ? select(s) : query(need(n, 'query'));
}

function select(n: CstNode): SelectQuery {
  const from = node(n, 'fromClause');
  const where = node(n, 'where');
  const having = node(n, 'having');
  const grouping = groupByClause(nodes(n, 'groupBy'));
  return {
    kind: 'select',
    distinct: tok(n, 'quantifier')?.tokenType === T.Distinct,
    items: nodes(n, 'item').map(selectItem),
    from: from ? fromClause(from) : undefined,
    where: where ? expr(where) : undefined,
    groupBy: grouping.groupBy,
    ...(grouping.groupingSets ? { groupingSets: grouping.groupingSets } : {}),
    having: having ? expr(having) : undefined,
    ...(has(n, 'window') ? { windows: nodes(n, 'window').map((w) => ({ name: ident(need(w, 'name')), spec: overSpec(need(w, 'overClause')) })) } : {}),
    with: [],
    orderBy: [],
    limit: undefined,
    offset: undefined,
    span: nodeSpan(n),
  };
}

function selectItem(n: CstNode): SelectItem {
  const span = nodeSpan(n);
  const qs = node(n, 'qualifiedStar');
  if (qs) return { kind: 'star', qualifier: identParts(qs), span };
  if (has(n, 'star')) return { kind: 'star', qualifier: undefined, span };
  const alias = node(n, 'alias');
  return { kind: 'expr', expr: expr(need(n, 'expression')), alias: alias ? ident(need(alias, 'identifier')) : undefined, span };
}

/** `FROM a, b, c` is ((a CROSS JOIN b) CROSS JOIN c). */
function fromClause(n: CstNode): FromItem {
  const [first, ...rest] = nodes(n, 'table').map(joinedTable);
  let left = first!;
  for (const right of rest) {
    left = { kind: 'join', joinType: 'CROSS', left, right, on: undefined, using: [], span: joinSpans(left.span, right.span) };
  }
  return left;
}

function joinedTable(n: CstNode): FromItem {
  let left = tablePrimary(need(n, 'tablePrimary'));
  for (const j of nodes(n, 'joinClause')) {
    const right = tablePrimary(need(j, 'right'));
    const kind = tok(j, 'kind')?.image.toUpperCase() ?? 'INNER';
    const on = node(j, 'on');
    left = {
      kind: 'join',
      joinType: kind as JoinType,
      left,
      right,
      on: on ? expr(on) : undefined,
      using: identList(node(j, 'using')),
      span: joinSpans(left.span, nodeSpan(j)),
    };
  }
  return left;
}

function aliasOf(n: CstNode): ReturnType<typeof ident> | undefined {
  const a = node(n, 'alias');
  return a ? ident(need(a, 'identifier')) : undefined;
}

function tablePrimary(n: CstNode): FromItem {
  const span = nodeSpan(n);
  const unnest = node(n, 'unnestTable');
  if (unnest) {
    return {
      kind: 'unnest', exprs: nodes(unnest, 'unnestArg').map(expr), withOrdinality: has(unnest, 'ordinality'),
      alias: aliasOf(unnest), columnAliases: identList(node(unnest, 'unnestColumns')), span,
    };
  }
  const lateral = node(n, 'lateralCall');
  if (lateral) return { kind: 'lateralTable', call: expr(lateral), alias: aliasOf(n), columnAliases: identList(node(n, 'lateralColumns')), span };
  const fn = node(n, 'tableFunctionCall');
  if (fn) {
    return { kind: 'tableFunction', name: ident(need(fn, 'name')), args: nodes(fn, 'arg').map(tableFunctionArg), alias: aliasOf(n), span };
  }
  const q = node(n, 'query');
  if (q) {
    return { kind: 'subquery', query: query(q), alias: aliasOf(n), columnAliases: identList(node(n, 'columnAliases')), span };
  }
  const asOf = node(n, 'asOf');
  return { kind: 'table', name: identParts(need(n, 'qualifiedName')), alias: aliasOf(n), forSystemTime: asOf ? expr(asOf) : undefined, span };
}

function tableFunctionArg(n: CstNode): TableFunctionArg {
  const span = nodeSpan(n);
  const nameTok = tok(n, 'argName');
  const name = nameTok ? identFromToken(nameTok) : undefined;
  if (has(n, 'TABLE')) {
    return { kind: 'tableArg', name, table: identParts(need(n, 'qualifiedName')), query: undefined, partitionBy: nodes(n, 'partition').map(expr), span };
  }
  const descriptor = node(n, 'descriptor');
  if (descriptor) return { kind: 'descriptorArg', name, columns: identList(descriptor), span };
  const e = expr(need(n, 'expression'));
  // A table argument may also be written as a subquery: TUMBLE((SELECT ...), DESCRIPTOR(ts), ...)
  if (e.kind === 'scalarSubquery') return { kind: 'tableArg', name, table: undefined, query: e.query, partitionBy: [], span };
  return { kind: 'exprArg', name, expr: e, span: name ? joinSpans(tokenSpan(nameTok!), e.span) : e.span };
}
