/**
 * Reading chevrotain's CST: children by name (rule name, token type name, or the LABEL the grammar
 * gave them), identifiers and string literals.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { InternalError } from '../common/errors.js';
import type { Ident } from './ast.js';
import { tokenSpan } from './spans.js';
import { QuotedIdentifier } from './tokens.js';

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

export function nodes(n: CstNode, key: string): CstNode[] {
  return (n.children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}

export function node(n: CstNode, key: string, i = 0): CstNode | undefined {
  return nodes(n, key)[i];
}

export function need(n: CstNode, key: string, i = 0): CstNode {
  const c = node(n, key, i);
  if (!c) throw new InternalError(`CST node ${n.name} has no ${key}[${i}]`);
  return c;
}

export function toks(n: CstNode, key: string): IToken[] {
  return (n.children[key] ?? []).filter(isToken);
}

export function tok(n: CstNode, key: string, i = 0): IToken | undefined {
  return toks(n, key)[i];
}

export function needTok(n: CstNode, key: string, i = 0): IToken {
  const t = tok(n, key, i);
  if (!t) throw new InternalError(`CST node ${n.name} has no token ${key}[${i}]`);
  return t;
}

export function has(n: CstNode, key: string): boolean {
  return (n.children[key]?.length ?? 0) > 0;
}

/** All tokens of a node, in source order. */
export function allTokens(n: CstNode): IToken[] {
  const out: IToken[] = [];
  const walk = (x: CstNode): void => {
    for (const list of Object.values(x.children)) for (const e of list) (isToken(e) ? out.push(e) : walk(e));
  };
  walk(n);
  return out.sort((a, b) => a.startOffset - b.startOffset);
}

export function identFromToken(t: IToken): Ident {
  const quoted = t.tokenType === QuotedIdentifier;
  const value = quoted ? t.image.slice(1, -1).replace(/``/g, '`') : t.image;
  return { value, quoted, span: tokenSpan(t) };
}

/** An `identifier` rule node. */
export function ident(n: CstNode): Ident {
  const t = allTokens(n)[0];
  if (!t) throw new InternalError('empty identifier');
  return identFromToken(t);
}

/** Parts of a `qualifiedName`, `columnRef` or `qualifiedStar` node. */
export function identParts(n: CstNode): Ident[] {
  return nodes(n, 'part').map(ident);
}

export function identList(n: CstNode | undefined): Ident[] {
  return n ? nodes(n, 'item').map(ident) : [];
}

/** The text of a '...' literal, with '' unescaped. */
export function stringValue(t: IToken): string {
  return t.image.slice(1, -1).replace(/''/g, "'");
}
