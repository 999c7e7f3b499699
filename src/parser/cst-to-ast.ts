/**
 * The CST visitor for statements: builds the ast.ts nodes from a `statement` CST node. Queries
 * and expressions are in cst-query.ts and cst-expressions.ts.
 *
 * `text` is the whole script: unquoted SET keys and values (`SET table.exec.mini-batch.enabled =
 * true`) are taken as written, from the source.
 */
import type { CstNode } from 'chevrotain';
import { InternalError } from '../common/errors.js';
import type { DropStmt, Statement, TableElement, TableOption } from './ast.js';
import { expr } from './cst-expressions.js';
import { query } from './cst-query.js';
import { dataType } from './cst-types.js';
import { has, ident, identList, identParts, need, needTok, node, nodes, stringValue, tok } from './cst-util.js';
import { nodeSpan, tokenSpan } from './spans.js';
import * as T from './tokens.js';

export { expr as buildExpression } from './cst-expressions.js';

function sourceText(n: CstNode, text: string): string {
  const s = nodeSpan(n);
  return text.slice(s.offset, s.offset + (s.length ?? 0));
}

/** A quoted string, or an unquoted word sequence under `wordKey`, as written. */
function keyOrValue(n: CstNode, stringKey: string, wordKey: string, text: string): string | undefined {
  const t = tok(n, stringKey);
  if (t) return stringValue(t);
  const w = node(n, wordKey);
  return w ? sourceText(w, text) : undefined;
}

export function buildStatement(n: CstNode, text: string): Statement {
  const inner = n.name === 'statement' ? onlyRule(n) : n;
  const span = nodeSpan(inner);
  switch (inner.name) {
    case 'createStatement':
      return createStatement(inner, text);
    case 'insertStatement':
      return {
        kind: 'insert',
        target: identParts(need(inner, 'qualifiedName')),
        overwrite: needTok(inner, 'mode').tokenType === T.Overwrite,
        columns: identList(node(inner, 'identList')),
        query: query(need(inner, 'query')),
        span,
      };
    case 'query':
      return { kind: 'query', query: query(inner), span };
    case 'setStatement':
      return { kind: 'set', key: keyOrValue(inner, 'key', 'keyWord', text), value: keyOrValue(inner, 'value', 'valueWord', text), span };
    case 'explainStatement':
      return { kind: 'explain', statement: buildStatement(need(inner, 'statement'), text), span };
    case 'dropStatement':
      return {
        kind: 'drop',
        objectKind: needTok(inner, 'objectKind').image.toLowerCase() as DropStmt['objectKind'],
        name: identParts(need(inner, 'qualifiedName')),
        ifExists: has(inner, 'ifExists'),
        temporary: has(inner, 'TEMPORARY'),
        span,
      };
    default:
      throw new InternalError(`no statement for CST node ${inner.name}`);
  }
}

function onlyRule(n: CstNode): CstNode {
  const child = Object.values(n.children).flat()[0];
  if (!child || !('name' in child)) throw new InternalError('empty statement node');
  return child;
}

function createStatement(n: CstNode, text: string): Statement {
  const span = nodeSpan(n);
  const temporary = has(n, 'TEMPORARY');
  const table = node(n, 'createTable');
  if (table) {
    return {
      kind: 'createTable',
      name: identParts(need(table, 'qualifiedName')),
      temporary,
      ifNotExists: has(table, 'ifNotExists'),
      elements: nodes(table, 'element').flatMap(tableElement),
      partitionedBy: identList(node(table, 'partitionedBy')),
      options: nodes(table, 'option').map((o) => tableOption(o, text)),
      span,
    };
  }
  const view = node(n, 'createView');
  if (view) {
    return {
      kind: 'createView',
      name: identParts(need(view, 'qualifiedName')),
      temporary,
      ifNotExists: has(view, 'ifNotExists'),
      columns: identList(node(view, 'identList')),
      query: query(need(view, 'query')),
      span,
    };
  }
  const fn = need(n, 'createFunction');
  const language = node(fn, 'language');
  return {
    kind: 'createFunction',
    name: identParts(need(fn, 'qualifiedName')),
    temporary,
    ifNotExists: has(fn, 'ifNotExists'),
    path: stringValue(needTok(fn, 'path')),
    pathSpan: tokenSpan(needTok(fn, 'path')),
    language: language ? ident(language).value.toUpperCase() : undefined,
    span,
  };
}

/** One element, or two for `id BIGINT PRIMARY KEY NOT ENFORCED` (the column and its key). */
function tableElement(n: CstNode): TableElement[] {
  const span = nodeSpan(n);
  const wm = node(n, 'watermarkColumn');
  if (wm) return [{ kind: 'watermark', column: ident(wm), expr: expr(need(n, 'watermarkExpr')), span }];
  const keyColumns = node(n, 'keyColumns');
  if (keyColumns) return [{ kind: 'primaryKey', columns: identList(keyColumns), span }];
  const name = ident(need(n, 'name'));
  const computed = node(n, 'computed');
  if (computed) return [{ kind: 'computedColumn', name, expr: expr(computed), span }];
  const constraints = nodes(n, 'columnConstraint');
  const column: TableElement = {
    kind: 'physicalColumn',
    name,
    type: dataType(need(n, 'dataType')),
    notNull: constraints.some((c) => has(c, 'notNull')) || constraints.some((c) => has(c, 'primaryKey')),
    span,
  };
  const pk = constraints.find((c) => has(c, 'primaryKey'));
  return pk ? [column, { kind: 'primaryKey', columns: [name], span: nodeSpan(pk) }] : [column];
}

function tableOption(n: CstNode, text: string): TableOption {
  return {
    key: keyOrValue(n, 'key', 'keyWord', text) ?? '',
    value: keyOrValue(n, 'value', 'valueWord', text) ?? '',
    span: nodeSpan(n),
  };
}
