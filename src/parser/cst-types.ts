/**
 * Data types and time units from the CST.
 *
 * Type names are plain identifiers in the grammar and are recognised here, so a misspelt type gets
 * `unknown type 'INTT'` at its position. Types Weir does not hold yet (ARRAY, MAP, MULTISET, BYTES,
 * TIME, ...) are an UNSUPPORTED error rather than a syntax error: the text is valid Flink SQL.
 */
import type { CstNode, IToken } from 'chevrotain';
import { WeirError, type SourceSpan } from '../common/errors.js';
import { T as Types, type RowField, type SqlType } from '../common/types.js';
import type { IntervalUnit, TimeUnit } from './ast.js';
import { has, ident, need, nodes, tok, toks } from './cst-util.js';
import { nodeSpan, tokenSpan } from './spans.js';

const INTERVAL_UNITS: readonly IntervalUnit[] = ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'];
const TIME_UNITS: readonly TimeUnit[] = [
  'MILLENNIUM', 'CENTURY', 'DECADE', 'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY',
  'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'DOW', 'DOY', 'EPOCH',
];

/** `SECONDS` → `SECOND`: Flink accepts the plural forms of units. */
function singular(word: string, known: readonly string[]): string {
  const w = word.toUpperCase();
  if (known.includes(w)) return w;
  if (w.endsWith('S') && known.includes(w.slice(0, -1))) return w.slice(0, -1);
  return w;
}

export function intervalUnit(t: IToken): IntervalUnit {
  const u = singular(t.image, INTERVAL_UNITS);
  if ((INTERVAL_UNITS as readonly string[]).includes(u)) return u as IntervalUnit;
  throw new WeirError('PARSE', `expected a time unit (${INTERVAL_UNITS.join(', ')}) but found '${t.image}'`, tokenSpan(t));
}

export function timeUnit(t: IToken): TimeUnit {
  const u = singular(t.image, TIME_UNITS);
  if ((TIME_UNITS as readonly string[]).includes(u)) return u as TimeUnit;
  throw new WeirError('PARSE', `expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...) but found '${t.image}'`, tokenSpan(t));
}

const UNSUPPORTED_TYPES = new Set(['BYTES', 'BINARY', 'VARBINARY', 'TIME', 'RAW']);
const ELEMENT_TYPES = new Set(['ARRAY', 'MAP', 'MULTISET']);

/** A type with its suffixes applied: `INT ARRAY MULTISET` is MULTISET<ARRAY<INT>>. */
export function dataType(n: CstNode): SqlType {
  let t = baseType(n);
  for (const s of toks(n, 'suffix')) t = s.image.toUpperCase() === 'ARRAY' ? Types.array(t) : Types.multiset(t);
  return t;
}

/** ARRAY<T>, MAP<K, V>, MULTISET<T>: element types checked, MAP keys non-null as Flink's. */
function collectionType(name: string, n: CstNode, span: SourceSpan): SqlType {
  const elements = nodes(n, 'element').map(dataType);
  const want = name === 'MAP' ? 2 : 1;
  if (elements.length !== want) {
    throw new WeirError('PARSE', name === 'MAP' ? 'MAP takes a key and a value type: MAP<K, V>' : `${name} takes one element type: ${name}<T>`, span);
  }
  if (name === 'MAP') return Types.map(elements[0]!, elements[1]!);
  return name === 'ARRAY' ? Types.array(elements[0]!) : Types.multiset(elements[0]!);
}

function baseType(n: CstNode): SqlType {
  if (has(n, 'ROW')) return Types.row(nodes(n, 'field').map(rowField));
  if (has(n, 'INTERVAL')) {
    intervalUnit(toks(n, 'unit')[0]!);
    const to = tok(n, 'toUnit');
    if (to) intervalUnit(to);
    return Types.INTERVAL;
  }
  const nameIdent = ident(need(n, 'name'));
  const name = nameIdent.value.toUpperCase();
  const span = nameIdent.span;
  const params = toks(n, 'param').map((t) => ({ value: Number(t.image), tok: t }));
  const fail = (msg: string): never => {
    throw new WeirError('PARSE', msg, span);
  };
  if (UNSUPPORTED_TYPES.has(name)) throw new WeirError('UNSUPPORTED', `type ${name} is not supported yet`, span);
  if (ELEMENT_TYPES.has(name)) return collectionType(name, n, span);
  if (has(n, 'element') && !ELEMENT_TYPES.has(name)) fail(`type ${name} takes no element types`);
  if (has(n, 'PRECISION') && name !== 'DOUBLE') fail(`expected a type but found '${nameIdent.value} PRECISION'`);
  const ltz = has(n, 'localTimeZone');
  if (ltz && name !== 'TIMESTAMP') fail(`WITH LOCAL TIME ZONE applies to TIMESTAMP, not ${name}`);
  const noParams = (t: SqlType): SqlType => (params.length > 0 ? fail(`type ${name} takes no parameters`) : t);
  for (const p of params) {
    if (!Number.isInteger(p.value)) throw new WeirError('PARSE', `expected an integer but found '${p.tok.image}'`, tokenSpan(p.tok));
  }

  switch (name) {
    case 'BOOLEAN': return noParams(Types.BOOLEAN);
    case 'TINYINT': return noParams(Types.TINYINT);
    case 'SMALLINT': return noParams(Types.SMALLINT);
    case 'INT': case 'INTEGER': return noParams(Types.INT);
    case 'BIGINT': return noParams(Types.BIGINT);
    case 'FLOAT': case 'REAL': return noParams(Types.FLOAT);
    case 'DOUBLE': return noParams(Types.DOUBLE);
    case 'DATE': return noParams(Types.DATE);
    case 'VARCHAR': case 'CHAR': case 'CHARACTER': case 'STRING':
      if (params.length > 1) fail(`type ${name} takes one length`);
      if (name === 'STRING' && params.length > 0) fail('type STRING takes no length');
      return Types.VARCHAR;
    case 'DECIMAL': case 'DEC': case 'NUMERIC': {
      const precision = params[0]?.value ?? 10;
      const scale = params[1]?.value ?? 0;
      if (precision < 1 || precision > 38) fail(`DECIMAL precision must be between 1 and 38, not ${precision}`);
      if (scale < 0 || scale > precision) fail(`DECIMAL scale must be between 0 and the precision ${precision}, not ${scale}`);
      return Types.decimal(precision, scale);
    }
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': {
      if (params.length > 1) fail(`type ${name} takes one precision`);
      const precision = params[0]?.value ?? 6;
      if (precision < 0 || precision > 9) fail(`TIMESTAMP precision must be between 0 and 9, not ${precision}`);
      return { kind: 'TIMESTAMP', precision, ltz: ltz || name === 'TIMESTAMP_LTZ' };
    }
    default:
      return fail(`unknown type '${nameIdent.value}'`);
  }
}

function rowField(n: CstNode): RowField {
  return { name: ident(need(n, 'name')).value, type: dataType(need(n, 'dataType')) };
}

/** `TIMESTAMP '2020-01-01 00:00:00.123'` has the precision of its fraction, as in Flink. */
export function typedLiteralType(kw: IToken, value: string, n: CstNode): SqlType {
  switch (kw.image.toUpperCase()) {
    case 'DATE':
      return Types.DATE;
    case 'TIMESTAMP': {
      const fraction = /\.(\d+)\s*$/.exec(value);
      return { kind: 'TIMESTAMP', precision: fraction ? Math.min(fraction[1]!.length, 9) : 0, ltz: false };
    }
    default:
      throw new WeirError('UNSUPPORTED', `type ${kw.image.toUpperCase()} is not supported yet`, nodeSpan(n));
  }
}
