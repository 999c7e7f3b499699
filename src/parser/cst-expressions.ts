/**
 * Expressions from the CST. Operator chains are built in cst-operators.ts; special syntaxes become plain
 * calls (TRIM, SUBSTRING, POSITION, FLOOR/CEIL ... TO unit, CURRENT_TIMESTAMP without parentheses),
 * as ast.ts documents.
 */
import type { CstNode, IToken } from 'chevrotain';
import { InternalError, WeirError, type SourceSpan } from '../common/errors.js';
import type { SqlType } from '../common/types.js';
import { typeToString } from '../common/types.js';
import type {
  CallExpr, Expr, Ident, LiteralExpr, OrderItem, OverSpec, WindowFrameBound,
} from './ast.js';
import { buildChain, opOf, prefixesPerOperand } from './cst-operators.js';
import { has, ident, identFromToken, identParts, need, needTok, node, nodes, stringValue, tok, toks } from './cst-util.js';
import { intervalUnit, timeUnit, typedLiteralType, dataType } from './cst-types.js';
// cst-query.ts imports this file too; the cycle is safe because both only call each other at run time.
import { query } from './cst-query.js';
import { joinSpans, nodeSpan, tokenSpan } from './spans.js';
import * as T from './tokens.js';

/** Niladic functions that Flink writes without parentheses. */
const NILADIC = new Set([
  'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'CURRENT_ROW_TIMESTAMP', 'NOW',
]);

/** `NOT` prefixes, innermost (the last written) first; `NOT EXISTS` is a negated EXISTS. */
function applyNots(operand: Expr, nots: readonly IToken[]): Expr {
  let e = operand;
  for (let i = nots.length - 1; i >= 0; i--) {
    const span = joinSpans(tokenSpan(nots[i]!), e.span);
    e = e.kind === 'exists' && !e.negated ? { ...e, negated: true, span } : { kind: 'unary', op: 'NOT', operand: e, span };
  }
  return e;
}

/** Sign prefixes, innermost first; `-` on an unsigned number literal makes a negative literal. */
function applySigns(operand: Expr, signs: readonly IToken[]): Expr {
  let e = operand;
  for (let i = signs.length - 1; i >= 0; i--) {
    const sign = signs[i]!;
    const span = joinSpans(tokenSpan(sign), e.span);
    if (sign.image === '-' && e.kind === 'literal' && e.literalType === 'number' && !String(e.value).startsWith('-')) {
      e = { ...e, value: `-${String(e.value)}`, span };
    } else e = { kind: 'unary', op: sign.image as '-' | '+', operand: e, span };
  }
  return e;
}

/** A flat chain rule: operands with their prefix tokens, then operators by precedence. */
function chain(n: CstNode, prefixLabel: string, applyPrefixes: (e: Expr, prefixes: readonly IToken[]) => Expr): Expr {
  const operands = nodes(n, 'operand');
  const prefixes = prefixesPerOperand(operands, toks(n, prefixLabel));
  return buildChain(operands.map((o, i) => applyPrefixes(expr(o), prefixes[i]!)), toks(n, 'op').map(opOf));
}

/** `( ... )` in a postfix rule: a scalar subquery, or an expression (its span stays the inner one). */
function parenthesized(n: CstNode): Expr {
  const q = node(n, 'query');
  if (q) return { kind: 'scalarSubquery', query: query(q), span: joinSpans(tokenSpan(needTok(n, 'open')), tokenSpan(needTok(n, 'close'))) };
  return expr(need(n, 'expression'));
}

/** The primary of a postfix rule: its one child rule other than the `.field` names. */
function primary(n: CstNode): Expr {
  if (has(n, 'open')) return parenthesized(n);
  for (const [key, list] of Object.entries(n.children)) {
    if (key === 'field' || key === 'subscript') continue;
    const child = list.find((e): e is CstNode => (e as IToken).image === undefined);
    if (child) return expr(child);
  }
  throw new InternalError('postfix rule without a primary');
}

function call(name: Ident, args: Expr[], span: SourceSpan): CallExpr {
  return { kind: 'call', name, args, distinct: false, star: false, filter: undefined, over: undefined, span };
}

function stringLit(value: string, span: SourceSpan): LiteralExpr {
  return { kind: 'literal', literalType: 'string', value, span };
}

function syntheticName(value: string, span: SourceSpan): Ident {
  return { value, quoted: false, span };
}

export function expr(n: CstNode): Expr {
  const span = nodeSpan(n);
  switch (n.name) {
    case 'expression':
      return chain(n, 'not', applyNots);
    case 'additive':
      return chain(n, 'sign', applySigns);
    case 'predicate': {
      let left = expr(need(n, 'additive'));
      for (const s of nodes(n, 'predicateSuffix')) left = predicateSuffix(left, s);
      return left;
    }
    case 'postfix': {
      let e = primary(n);
      // `.field`s and `[index]`es, in the order written
      const closes = toks(n, 'subscriptClose');
      const suffixes = [
        ...nodes(n, 'field').map((f) => ({ at: nodeSpan(f).offset, f, i: undefined as CstNode | undefined, close: undefined as IToken | undefined })),
        ...nodes(n, 'subscript').map((i, k) => ({ at: nodeSpan(i).offset, f: undefined, i, close: closes[k] })),
      ].sort((a, b) => a.at - b.at);
      for (const s of suffixes) {
        if (s.f) {
          const field = ident(s.f);
          e = { kind: 'fieldAccess', operand: e, field, span: joinSpans(e.span, field.span) };
        } else {
          const at = joinSpans(e.span, tokenSpan(s.close!));
          e = call(syntheticName('ITEM', at), [e, expr(s.i!)], at);
        }
      }
      return e;
    }
    case 'collectionConstructor':
    case 'rowConstructor': {
      const ctor = needTok(n, 'ctor');
      return call(syntheticName(ctor.image.toUpperCase(), tokenSpan(ctor)), nodes(n, 'item').map(expr), span);
    }
    case 'literal':
      return literal(needTok(n, 'value'), span);
    case 'intervalLiteral': {
      const sign = tok(n, 'sign')?.image === '-' ? '-' : '';
      const v = needTok(n, 'value');
      const text = v.tokenType === T.StringLiteral ? stringValue(v) : v.image;
      const to = tok(n, 'toUnit');
      return { kind: 'interval', value: sign + text, unit: intervalUnit(needTok(n, 'unit')), toUnit: to ? intervalUnit(to) : undefined, span };
    }
    case 'typedLiteral': {
      const value = stringValue(needTok(n, 'StringLiteral'));
      return { kind: 'typedLiteral', type: typedLiteralType(needTok(n, 'typeKw'), value, n), value, span };
    }
    case 'caseExpression': {
      const operandNode = node(n, 'operand');
      const thens = nodes(n, 'then');
      const elseNode = node(n, 'else');
      return {
        kind: 'case',
        operand: operandNode ? expr(operandNode) : undefined,
        whens: nodes(n, 'when').map((w, i) => ({ when: expr(w), then: expr(thens[i]!) })),
        else: elseNode ? expr(elseNode) : undefined,
        span,
      };
    }
    case 'castExpression':
      return {
        kind: 'cast',
        operand: expr(need(n, 'expression')),
        type: dataType(need(n, 'dataType')),
        try: needTok(n, 'castKw').tokenType === T.TryCast,
        span,
      };
    case 'extractExpression':
      return { kind: 'extract', unit: timeUnit(needTok(n, 'unit')), operand: expr(need(n, 'expression')), span };
    case 'trimExpression':
      return trim(n, span);
    case 'substringExpression': {
      const args = [expr(need(n, 'operand')), expr(need(n, 'start'))];
      const len = node(n, 'length');
      if (len) args.push(expr(len));
      return call(syntheticName('SUBSTRING', tokenSpan(needTok(n, 'SUBSTRING'))), args, span);
    }
    case 'positionExpression':
      return call(syntheticName('POSITION', tokenSpan(needTok(n, 'POSITION'))), [expr(need(n, 'needle')), expr(need(n, 'haystack'))], span);
    case 'floorCeilExpression':
      return floorCeil(n, span);
    case 'existsExpression':
      return { kind: 'exists', query: query(need(n, 'query')), negated: false, span };
    case 'functionCall':
      return functionCall(n, span);
    case 'columnRef': {
      const path = identParts(n);
      const only = path[0]!;
      if (path.length === 1 && !only.quoted && NILADIC.has(only.value.toUpperCase())) {
        return call(syntheticName(only.value.toUpperCase(), only.span), [], span);
      }
      return { kind: 'column', path, span };
    }
    default:
      throw new InternalError(`no expression for CST node ${n.name}`);
  }
}

function literal(t: IToken, span: SourceSpan): LiteralExpr {
  switch (t.tokenType) {
    case T.NumberLiteral: return { kind: 'literal', literalType: 'number', value: t.image, span };
    case T.StringLiteral: return { kind: 'literal', literalType: 'string', value: stringValue(t), span };
    case T.True: return { kind: 'literal', literalType: 'boolean', value: true, span };
    case T.False: return { kind: 'literal', literalType: 'boolean', value: false, span };
    default: return { kind: 'literal', literalType: 'null', value: null, span };
  }
}

function predicateSuffix(left: Expr, s: CstNode): Expr {
  const span = joinSpans(left.span, nodeSpan(s));
  const negated = has(s, 'not');
  const comp = tok(s, 'compOp');
  if (comp) return { kind: 'binary', op: opOf(comp), left, right: expr(need(s, 'right')), span };
  if (has(s, 'IS')) {
    const isNot = has(s, 'isNot');
    const from = node(s, 'distinctFrom');
    if (from) return { kind: 'binary', op: isNot ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM', left, right: expr(from), span };
    const json = tok(s, 'isJson');
    if (json) {
      // x IS [NOT] JSON [kind] → IS_JSON(x, 'kind'), negated by NOT (IS_JSON of NULL is FALSE, as Flink)
      const kind = tok(s, 'jsonKind');
      const test = call(syntheticName('IS_JSON', tokenSpan(json)), [left, stringLit(kind ? kind.image.toUpperCase() : 'VALUE', tokenSpan(kind ?? json))], span);
      return isNot ? { kind: 'unary', op: 'NOT', operand: test, span } : test;
    }
    const test = needTok(s, 'isTest').image.toUpperCase() as 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
    return { kind: 'is', operand: left, test, negated: isNot, span };
  }
  if (has(s, 'BETWEEN')) {
    const symmetric = tok(s, 'symmetry')?.tokenType === T.Symmetric;
    return { kind: 'between', operand: left, low: expr(need(s, 'low')), high: expr(need(s, 'high')), negated, symmetric, span };
  }
  if (has(s, 'IN')) {
    const q = node(s, 'query');
    if (q) return { kind: 'inSubquery', operand: left, query: query(q), negated, span };
    return { kind: 'inList', operand: left, list: nodes(s, 'item').map(expr), negated, span };
  }
  const escape = node(s, 'escape');
  return {
    kind: 'like',
    operand: left,
    pattern: expr(need(s, 'pattern')),
    escape: escape ? expr(escape) : undefined,
    negated,
    similar: needTok(s, 'likeKw').tokenType === T.Similar,
    span,
  };
}

// TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) → TRIM('BOTH', chars or ' ', s)
function trim(n: CstNode, span: SourceSpan): Expr {
  const kw = needTok(n, 'TRIM');
  const specTok = tok(n, 'spec');
  const spec = stringLit(specTok ? specTok.image.toUpperCase() : 'BOTH', specTok ? tokenSpan(specTok) : tokenSpan(kw));
  const first = node(n, 'first');
  const second = node(n, 'second');
  let chars: Expr = stringLit(' ', tokenSpan(kw));
  let source: CstNode | undefined = first;
  if (second) {
    if (first) chars = expr(first);
    source = second;
  }
  if (!source) throw new InternalError('TRIM without a source');
  return call(syntheticName('TRIM', tokenSpan(kw)), [spec, chars, expr(source)], span);
}

// FLOOR(ts TO HOUR) → FLOOR_TIME(ts, 'HOUR'); FLOOR(x) stays FLOOR(x)
function floorCeil(n: CstNode, span: SourceSpan): Expr {
  const fn = needTok(n, 'fn');
  const operand = expr(need(n, 'expression'));
  const unitTok = tok(n, 'unit');
  if (!unitTok) return call(identFromToken(fn), [operand], span);
  const name = fn.tokenType === T.Floor ? 'FLOOR_TIME' : 'CEIL_TIME';
  return call(syntheticName(name, tokenSpan(fn)), [operand, stringLit(timeUnit(unitTok), tokenSpan(unitTok))], span);
}

/** The time units TIMESTAMPDIFF and TIMESTAMPADD take as their first argument (a keyword, not a column). */
const TIME_UNITS = new Set(['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']);
const UNIT_FUNCTIONS = new Set(['TIMESTAMPDIFF', 'TIMESTAMPADD']);

/** TIMESTAMPDIFF(SECOND, a, b) → TIMESTAMPDIFF('SECOND', a, b): the unit word becomes a string (as FLOOR ... TO unit). */
function unitArgument(name: string, args: Expr[]): Expr[] {
  const u = args[0];
  if (!UNIT_FUNCTIONS.has(name.toUpperCase()) || u?.kind !== 'column' || u.path.length !== 1 || u.path[0]!.quoted) return args;
  const word = u.path[0]!.value.toUpperCase();
  if (!TIME_UNITS.has(word)) return args;
  return [{ kind: 'literal', literalType: 'string', value: word, span: u.span }, ...args.slice(1)];
}

function functionCall(n: CstNode, span: SourceSpan): Expr {
  const name = ident(need(n, 'name'));
  const upper = name.quoted ? '' : name.value.toUpperCase();
  if (upper === 'JSON_OBJECT' || upper === 'JSON_ARRAY') return jsonConstructor(n, upper, span);
  const value = tok(n, 'valueWord');
  if (value) throw new WeirError('PARSE', `'k VALUE v' entries belong in JSON_OBJECT, not ${name.value}`, tokenSpan(value));
  const clauses = nodes(n, 'jsonClause');
  if (clauses.length > 0) return jsonFunctionCall(n, clauses, span);
  return plainCall(n, span);
}

/**
 * JSON_OBJECT([KEY] k VALUE v, … [NULL | ABSENT] ON NULL) → JSON_OBJECT('NULL' | 'ABSENT', k, v, …) (NULL ON
 * NULL by default, as Flink); JSON_ARRAY(v, … NULL ON NULL) → the call `JSON_ARRAY NULL ON NULL`
 * (a name no query can write), JSON_ARRAY's default being ABSENT ON NULL.
 */
function jsonConstructor(n: CstNode, fn: 'JSON_OBJECT' | 'JSON_ARRAY', span: SourceSpan): Expr {
  const base = plainCall(n, span);
  let mode = fn === 'JSON_OBJECT' ? 'NULL' : 'ABSENT';
  for (const c of nodes(n, 'jsonClause')) {
    const t = tok(c, 'onNull');
    if (!t) throw new WeirError('PARSE', `${fn} takes no RETURNING, ON EMPTY, ON ERROR or WRAPPER clause: only NULL ON NULL or ABSENT ON NULL`, nodeSpan(c));
    mode = t.image.toUpperCase();
  }
  const values = toks(n, 'valueWord');
  if (fn === 'JSON_ARRAY') {
    if (values.length > 0) throw new WeirError('PARSE', `'k VALUE v' entries belong in JSON_OBJECT; JSON_ARRAY takes values`, tokenSpan(values[0]!));
    return mode === 'NULL' ? { ...base, name: syntheticName('JSON_ARRAY NULL ON NULL', base.name.span) } : base;
  }
  const args = base.args;
  // each key is followed by VALUE and its value: pairs in order
  for (let i = 0; i < args.length; i += 2) {
    const v = values[i / 2];
    const value = args[i + 1];
    if (!v || !value || v.startOffset < args[i]!.span.offset || v.startOffset > value.span.offset) {
      throw new WeirError('PARSE', "JSON_OBJECT takes entries '[KEY] key VALUE value': expected VALUE after this key", args[i]!.span);
    }
  }
  return { ...base, args: [stringLit(mode, span), ...args] };
}

/** A JSON clause's `behaviour ON target`: the behaviour's words (EMPTY ARRAY as one) and the target, both upper case. */
function jsonBehaviour(c: CstNode): { behaviour: string; target: string; at: SourceSpan } {
  const at = nodeSpan(c);
  const target = needTok(c, 'target').image.toUpperCase();
  if (target !== 'EMPTY' && target !== 'ERROR') throw new WeirError('PARSE', `expected ON EMPTY or ON ERROR, got ON ${target}`, at);
  const kind = tok(c, 'emptyKind');
  return { behaviour: `${needTok(c, 'behaviour').image.toUpperCase()}${kind ? ` ${kind.image.toUpperCase()}` : ''}`, target, at };
}

/**
 * JSON_QUERY(j, p, wrapper, onEmpty, onError): wrapper WITHOUT, WITH or CONDITIONAL; each behaviour
 * NULL, EMPTY ARRAY, EMPTY OBJECT or ERROR (Flink's defaults NULL); RETURNING ARRAY<STRING> makes it
 * the call `JSON_QUERY RETURNING ARRAY` (an ARRAY<STRING> result), RETURNING STRING changes nothing.
 */
function jsonQueryCall(base: CallExpr, clauses: readonly CstNode[], span: SourceSpan): Expr {
  let wrapper = 'WITHOUT';
  const behaviour: Record<'EMPTY' | 'ERROR', string> = { EMPTY: 'NULL', ERROR: 'NULL' };
  let array = false;
  let emptyObject: CstNode | undefined;
  for (const c of clauses) {
    const rt = node(c, 'returnType');
    if (rt) {
      const t = dataType(rt);
      array = t.kind === 'ARRAY' && t.element.kind === 'VARCHAR';
      if (!array && t.kind !== 'VARCHAR') {
        throw new WeirError('UNSUPPORTED', `JSON_QUERY RETURNING ${typeToString(t)} is not supported yet: JSON_QUERY returns STRING or ARRAY<STRING>`, nodeSpan(c));
      }
      continue;
    }
    if (tok(c, 'wrapper')) {
      wrapper = tok(c, 'with') ? (tok(c, 'conditional')?.image.toUpperCase() === 'CONDITIONAL' ? 'CONDITIONAL' : 'WITH') : 'WITHOUT';
      continue;
    }
    if (tok(c, 'onNull')) throw new WeirError('PARSE', 'JSON_QUERY takes no ON NULL clause (JSON_OBJECT and JSON_ARRAY do)', nodeSpan(c));
    const b = jsonBehaviour(c);
    if (!['NULL', 'EMPTY ARRAY', 'EMPTY OBJECT', 'ERROR'].includes(b.behaviour)) {
      throw new WeirError('PARSE', `JSON_QUERY takes NULL, EMPTY ARRAY, EMPTY OBJECT or ERROR ON ${b.target}, not ${b.behaviour}`, b.at);
    }
    if (b.behaviour === 'EMPTY OBJECT') emptyObject = c;
    behaviour[b.target as 'EMPTY' | 'ERROR'] = b.behaviour;
  }
  if (array && emptyObject) {
    const { target, at } = jsonBehaviour(emptyObject);
    throw new WeirError('PARSE', `JSON_QUERY RETURNING ARRAY<STRING> takes NULL, EMPTY ARRAY or ERROR ON ${target}, not EMPTY OBJECT`, at);
  }
  const name = array ? syntheticName('JSON_QUERY RETURNING ARRAY', base.name.span) : base.name;
  return { ...base, name, args: [...base.args, stringLit(wrapper, span), stringLit(behaviour.EMPTY, span), stringLit(behaviour.ERROR, span)] };
}

/** JSON_EXISTS(j, p, onError): `{ TRUE | FALSE | UNKNOWN | ERROR } ON ERROR`, FALSE by default. */
function jsonExistsCall(base: CallExpr, clauses: readonly CstNode[], span: SourceSpan): Expr {
  let onError = 'FALSE';
  for (const c of clauses) {
    const b = tok(c, 'target') ? jsonBehaviour(c) : undefined;
    if (!b || b.target !== 'ERROR' || !['TRUE', 'FALSE', 'UNKNOWN', 'ERROR'].includes(b.behaviour)) {
      throw new WeirError('PARSE', 'JSON_EXISTS takes one clause: { TRUE | FALSE | UNKNOWN | ERROR } ON ERROR', nodeSpan(c));
    }
    onError = b.behaviour;
  }
  return { ...base, args: [...base.args, stringLit(onError, span)] };
}

/**
 * JSON_VALUE / JSON_QUERY / JSON_EXISTS with clauses, as calls the kernels read (functions-json.ts):
 * JSON_VALUE(j, p, onEmpty, emptyDefault, onError, errorDefault), under a CAST to the RETURNING type
 * (a TRY_CAST unless ERROR ON ERROR: a value that does not convert is an error, NULL by default);
 * JSON_QUERY and JSON_EXISTS as above.
 */
function jsonFunctionCall(n: CstNode, clauses: readonly CstNode[], span: SourceSpan): Expr {
  const base = plainCall(n, span);
  const fn = base.name.value.toUpperCase();
  const nullLit = (at: SourceSpan): Expr => ({ kind: 'literal', literalType: 'null', value: null, span: at });
  if (fn === 'JSON_QUERY') return jsonQueryCall(base, clauses, span);
  if (fn === 'JSON_EXISTS') return jsonExistsCall(base, clauses, span);
  if (fn !== 'JSON_VALUE') throw new WeirError('PARSE', `${fn} takes no RETURNING, ON EMPTY, ON ERROR or WRAPPER clause`, nodeSpan(clauses[0]!));
  let returning: SqlType | undefined;
  const behaviour: Record<'EMPTY' | 'ERROR', [Expr, Expr]> = { EMPTY: [stringLit('NULL', span), nullLit(span)], ERROR: [stringLit('NULL', span), nullLit(span)] };
  for (const c of clauses) {
    const at = nodeSpan(c);
    const rt = node(c, 'returnType');
    if (rt) { returning = dataType(rt); continue; }
    if (tok(c, 'wrapper')) throw new WeirError('PARSE', 'JSON_VALUE takes no WRAPPER clause (JSON_QUERY does)', at);
    const { behaviour: b, target } = jsonBehaviour(c);
    if (!['NULL', 'ERROR', 'DEFAULT'].includes(b)) {
      throw new WeirError('PARSE', `JSON_VALUE takes NULL, ERROR or DEFAULT value ON ${target}, not ${b.startsWith('EMPTY') ? 'EMPTY ARRAY / OBJECT' : b}`, at);
    }
    const d = node(c, 'default');
    behaviour[target as 'EMPTY' | 'ERROR'] = [stringLit(b, at), d ? expr(d) : nullLit(at)];
  }
  const call: CallExpr = { ...base, args: [...base.args, ...behaviour.EMPTY, ...behaviour.ERROR] };
  if (!returning) return call;
  const strictError = (behaviour.ERROR[0] as LiteralExpr).value === 'ERROR';
  return { kind: 'cast', operand: call, type: returning, try: !strictError, span };
}

function plainCall(n: CstNode, span: SourceSpan): CallExpr {
  const filter = node(n, 'filter');
  const over = node(n, 'overClause');
  const name = ident(need(n, 'name'));
  const overName = node(n, 'overName');
  return {
    kind: 'call',
    name,
    args: unitArgument(name.value, nodes(n, 'arg').map(expr)),
    distinct: tok(n, 'quantifier')?.tokenType === T.Distinct,
    star: has(n, 'star'),
    filter: filter ? expr(filter) : undefined,
    over: over ? overSpec(over) : overName ? { name: ident(overName), partitionBy: [], orderBy: [], frame: undefined, span: nodeSpan(overName) } : undefined,
    span,
  };
}

export function overSpec(n: CstNode): OverSpec {
  const unit = tok(n, 'frameUnit');
  const start = node(n, 'start');
  const end = node(n, 'end');
  const currentRow: WindowFrameBound = { kind: 'currentRow', offset: undefined };
  return {
    partitionBy: nodes(n, 'partition').map(expr),
    orderBy: nodes(n, 'order').map(orderItem),
    frame: unit && start
      ? { unit: unit.tokenType === T.Rows ? 'ROWS' : 'RANGE', start: frameBound(start), end: end ? frameBound(end) : currentRow }
      : undefined,
    span: nodeSpan(n),
  };
}

function frameBound(n: CstNode): WindowFrameBound {
  const span = nodeSpan(n);
  if (has(n, 'CURRENT')) return { kind: 'currentRow', offset: undefined, span };
  const preceding = needTok(n, 'direction').tokenType === T.Preceding;
  if (has(n, 'UNBOUNDED')) return { kind: preceding ? 'unboundedPreceding' : 'unboundedFollowing', offset: undefined, span };
  return { kind: preceding ? 'preceding' : 'following', offset: expr(need(n, 'expression')), span };
}

export function orderItem(n: CstNode): OrderItem {
  const nulls = tok(n, 'nulls');
  return {
    expr: expr(need(n, 'expression')),
    descending: tok(n, 'direction')?.tokenType === T.Desc,
    nullsFirst: nulls ? nulls.tokenType === T.First : undefined,
    span: nodeSpan(n),
  };
}
