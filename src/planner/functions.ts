/**
 * The scalar function registry: every built-in operator and function a bound expression may call,
 * with the rule that types its arguments and result. The binder consults it (and inserts casts to
 * the argument types it returns); the executor implements each name in src/executor/expr, in a
 * `Record<ScalarFunctionName, ...>` so a function without a kernel is a compile error.
 */
import type { SqlType } from '../common/types.js';
import { commonType, isCollection, isInteger, isNumeric, isString, T, typeToString } from '../common/types.js';
import { COLLECTION_SIGNATURES } from './functions-collections.js';
import { ROW_SIGNATURES } from './functions-rows.js';
import { INTERNAL_SIGNATURES } from './functions-internal.js';
import { ARRAY_MAP_SIGNATURES, ARRAY_MAP_SQL_NAMES } from './functions-arrays.js';

export const SCALAR_FUNCTIONS = [
  // arithmetic (operators)
  'add', 'subtract', 'multiply', 'divide', 'mod', 'negate',
  // comparison (operators); `in` is (operand, v1, v2, ...)
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'is_distinct_from', 'is_not_distinct_from', 'in',
  // logic: three-valued
  'and', 'or', 'not', 'is_null', 'is_not_null', 'is_true', 'is_false', 'is_not_true', 'is_not_false',
  // strings
  'concat', 'concat_ws', 'upper', 'lower', 'trim', 'ltrim', 'rtrim', 'substring', 'char_length',
  'position', 'replace', 'like', 'regexp', 'regexp_extract', 'regexp_replace', 'split_index',
  'lpad', 'rpad', 'initcap', 'repeat', 'reverse',
  // numbers
  'abs', 'floor', 'ceil', 'round', 'truncate', 'power', 'sqrt', 'exp', 'ln', 'log10', 'sign',
  'greatest', 'least', 'rand',
  // conditionals
  'coalesce', 'nullif', 'if',
  // time
  'date_format', 'year', 'quarter', 'month', 'week', 'dayofmonth', 'dayofweek', 'dayofyear', 'hour', 'minute', 'second',
  'extract', 'to_timestamp', 'to_date', 'unix_timestamp', 'from_unixtime', 'proctime', 'current_timestamp',
  'floor_time', 'ceil_time',
  'timestampdiff', 'timestampadd', 'to_timestamp_ltz', 'current_date',
  // JSON (executor/expr/functions-json.ts)
  'json_value', 'json_query', 'json_query_array', 'json_exists', 'json_array', 'is_json', 'json_array_nulls', 'json_object',
  // collections (executor/expr/functions-collections.ts): ARRAY[...], MAP[...], x[i]
  'array_value', 'map_value', 'item', 'cardinality', 'element', 'array_contains',
  // ROW(a, b) (executor/expr/functions-rows.ts)
  'row_value',
  // written by the planner only (planner/functions-internal.ts)
  'multiset_of_count',
  // Flink's array and map functions (planner/functions-arrays.ts, executor/expr/functions-arrays.ts)
  'array_append', 'array_prepend', 'array_position', 'array_remove', 'array_concat', 'array_union', 'array_except',
  'array_intersect', 'array_distinct', 'array_reverse', 'array_slice', 'array_sort', 'array_max', 'array_min', 'array_join',
  'split', 'map_keys', 'map_values', 'map_entries', 'map_from_arrays', 'map_union',
] as const;

export type ScalarFunctionName = (typeof SCALAR_FUNCTIONS)[number];

/** The argument types to cast to, and the result type; or a message saying what was expected. */
export type Resolution = { readonly args: readonly SqlType[]; readonly returns: SqlType } | string;

type Resolver = (args: readonly SqlType[]) => Resolution;

const same = (n: number, t: SqlType): SqlType[] => new Array<SqlType>(n).fill(t);
const show = (args: readonly SqlType[]): string => args.map(typeToString).join(', ');

function arity(min: number, max: number, r: Resolver): Resolver {
  return (args) => {
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      return `expects ${want} argument${max === 1 ? '' : 's'}, got ${args.length}`;
    }
    return r(args);
  };
}

const isNumOrNull = (t: SqlType): boolean => isNumeric(t) || t.kind === 'NULL';
const isStrOrNull = (t: SqlType): boolean => isString(t) || t.kind === 'NULL';
const isTimeOrNull = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'DATE' || t.kind === 'NULL';

/** Numbers in, the wider of them out (DECIMAL scale rules as Flink for + and -). */
function arithmetic(op: 'add' | 'subtract' | 'multiply' | 'divide' | 'mod'): Resolver {
  return arity(2, 2, ([a, b]) => {
    const x = a!, y = b!;
    if (op === 'add' || op === 'subtract') {
      if (x.kind === 'TIMESTAMP' && (y.kind === 'INTERVAL' || y.kind === 'NULL')) return { args: [x, T.INTERVAL], returns: x };
      if (op === 'add' && x.kind === 'INTERVAL' && y.kind === 'TIMESTAMP') return { args: [x, y], returns: y };
      if (x.kind === 'DATE' && y.kind === 'INTERVAL') return { args: [T.TIMESTAMP, y], returns: T.TIMESTAMP };
      if (x.kind === 'INTERVAL' && y.kind === 'INTERVAL') return { args: [x, y], returns: x };
    }
    if (op === 'multiply' && x.kind === 'INTERVAL' && isNumeric(y)) return { args: [x, T.DOUBLE], returns: T.INTERVAL };
    if (op === 'multiply' && isNumeric(x) && y.kind === 'INTERVAL') return { args: [T.DOUBLE, y], returns: T.INTERVAL };
    if (!isNumOrNull(x) || !isNumOrNull(y)) return `cannot apply to ${show([x, y])}: expected numbers`;
    const c = commonType(x, y) ?? T.DOUBLE;
    const t = c.kind === 'NULL' ? T.INT : c;
    if (op === 'mod') {
      if (!isInteger(t) && t.kind !== 'DECIMAL') return { args: [t, t], returns: t };
      return { args: [t, t], returns: isInteger(y) ? (y.kind === 'NULL' ? t : y) : t };
    }
    if (t.kind === 'DECIMAL') {
      const dx = asDecimal(x), dy = asDecimal(y);
      if (op === 'multiply') {
        return { args: [t, t], returns: T.decimal(Math.min(38, dx.p + dy.p), Math.min(38, dx.s + dy.s)) };
      }
      if (op === 'divide') {
        const scale = Math.min(18, Math.max(6, dx.s + dy.p + 1));
        return { args: [t, t], returns: T.decimal(38, scale) };
      }
      const scale = Math.max(dx.s, dy.s);
      return { args: [t, t], returns: T.decimal(Math.min(38, Math.max(dx.p - dx.s, dy.p - dy.s) + scale + 1), scale) };
    }
    // Integer division gives a DOUBLE, as in DuckDB and Spark (Flink truncates): the oracle agrees.
    if (op === 'divide' && isInteger(t)) return { args: [T.DOUBLE, T.DOUBLE], returns: T.DOUBLE };
    return { args: [t, t], returns: t };
  });
}

function asDecimal(t: SqlType): { p: number; s: number } {
  switch (t.kind) {
    case 'DECIMAL': return { p: t.precision, s: t.scale };
    case 'TINYINT': return { p: 3, s: 0 };
    case 'SMALLINT': return { p: 5, s: 0 };
    case 'INT': return { p: 10, s: 0 };
    case 'BIGINT': return { p: 19, s: 0 };
    default: return { p: 38, s: 6 };
  }
}

/** Two comparable values: cast both to their common type. */
const comparison: Resolver = arity(2, 2, ([a, b]) => {
  const c = commonType(a!, b!);
  if (!c) return `cannot compare ${typeToString(a!)} with ${typeToString(b!)}`;
  return { args: [c, c], returns: T.BOOLEAN };
});

const inList: Resolver = arity(2, Infinity, (args) => {
  let c: SqlType | undefined = args[0]!;
  for (const t of args.slice(1)) {
    c = c && commonType(c, t);
    if (!c) return `cannot compare ${typeToString(args[0]!)} with ${typeToString(t)} in IN list`;
  }
  return { args: same(args.length, c!), returns: T.BOOLEAN };
});

const logic = (n: number): Resolver => arity(n, n, (args) => {
  if (!args.every((t) => t.kind === 'BOOLEAN' || t.kind === 'NULL')) return `expects BOOLEAN arguments, got ${show(args)}`;
  return { args: same(n, T.BOOLEAN), returns: T.BOOLEAN };
});

const predicate: Resolver = arity(1, 1, (args) => ({ args, returns: T.BOOLEAN }));
const boolTest: Resolver = arity(1, 1, ([a]) =>
  a!.kind === 'BOOLEAN' || a!.kind === 'NULL' ? { args: [T.BOOLEAN], returns: T.BOOLEAN } : `expects a BOOLEAN, got ${typeToString(a!)}`);

/** String functions: given positions must be strings, others integers; returns `ret`. */
function strings(min: number, max: number, ret: SqlType, intArgs: readonly number[] = []): Resolver {
  return arity(min, max, (args) => {
    const want = args.map((_, i) => (intArgs.includes(i) ? T.INT : T.VARCHAR));
    for (let i = 0; i < args.length; i++) {
      const ok = intArgs.includes(i) ? isNumOrNull(args[i]!) : isStrOrNull(args[i]!) || args[i]!.kind !== 'ROW';
      if (!ok) return `argument ${i + 1} must be ${typeToString(want[i]!)}, got ${typeToString(args[i]!)}`;
    }
    return { args: want, returns: ret };
  });
}

const numberIn = (ret: (t: SqlType) => SqlType): Resolver => arity(1, 1, ([a]) =>
  isNumOrNull(a!) ? { args: [a!.kind === 'NULL' ? T.DOUBLE : a!], returns: ret(a!.kind === 'NULL' ? T.DOUBLE : a!) }
    : `expects a number, got ${typeToString(a!)}`);
const doubleIn: Resolver = numberIn(() => T.DOUBLE);

function sameTypeAll(min: number): Resolver {
  return arity(min, Infinity, (args) => {
    let c: SqlType | undefined = args[0]!;
    for (const t of args.slice(1)) c = c && commonType(c, t);
    if (!c) return `arguments have no common type: ${show(args)}`;
    return { args: same(args.length, c), returns: c };
  });
}

/** Functions that order their arguments: an ARRAY, MAP or MULTISET has no order. */
function unorderedRefused(r: Resolver): Resolver {
  return (args) => {
    const bad = args.find(isCollection);
    return bad ? `cannot order values of ${typeToString(bad)}` : r(args);
  };
}

const timePart: Resolver = arity(1, 1, ([a]) =>
  isTimeOrNull(a!) ? { args: [a!.kind === 'DATE' ? T.DATE : T.TIMESTAMP], returns: T.BIGINT } : `expects a TIMESTAMP or DATE, got ${typeToString(a!)}`);

export const SCALAR_SIGNATURES: Record<ScalarFunctionName, Resolver> = {
  add: arithmetic('add'), subtract: arithmetic('subtract'), multiply: arithmetic('multiply'),
  divide: arithmetic('divide'), mod: arithmetic('mod'),
  negate: arity(1, 1, ([a]) => (isNumOrNull(a!) || a!.kind === 'INTERVAL' ? { args: [a!], returns: a! } : `cannot negate ${typeToString(a!)}`)),
  eq: comparison, ne: comparison, lt: comparison, le: comparison, gt: comparison, ge: comparison,
  is_distinct_from: comparison, is_not_distinct_from: comparison, in: inList,
  and: logic(2), or: logic(2), not: logic(1),
  is_null: predicate, is_not_null: predicate,
  is_true: boolTest, is_false: boolTest, is_not_true: boolTest, is_not_false: boolTest,
  concat: arity(1, Infinity, (args) => ({ args: same(args.length, T.VARCHAR), returns: T.VARCHAR })),
  concat_ws: arity(2, Infinity, (args) => ({ args: same(args.length, T.VARCHAR), returns: T.VARCHAR })),
  upper: strings(1, 1, T.VARCHAR), lower: strings(1, 1, T.VARCHAR), initcap: strings(1, 1, T.VARCHAR),
  reverse: strings(1, 1, T.VARCHAR),
  /** trim(mode 'BOTH'|'LEADING'|'TRAILING', characters, string) */
  trim: strings(3, 3, T.VARCHAR), ltrim: strings(1, 2, T.VARCHAR), rtrim: strings(1, 2, T.VARCHAR),
  substring: strings(2, 3, T.VARCHAR, [1, 2]),
  char_length: strings(1, 1, T.INT),
  /** position(needle, haystack): 1-based, 0 when absent */
  position: strings(2, 2, T.INT),
  replace: strings(3, 3, T.VARCHAR),
  /** like(string, pattern[, escape]) */
  like: strings(2, 3, T.BOOLEAN),
  regexp: strings(2, 2, T.BOOLEAN),
  regexp_extract: strings(2, 3, T.VARCHAR, [2]),
  regexp_replace: strings(3, 3, T.VARCHAR),
  /** split_index(string, delimiter, index): 0-based; null when out of range */
  split_index: strings(3, 3, T.VARCHAR, [2]),
  lpad: strings(3, 3, T.VARCHAR, [1]), rpad: strings(3, 3, T.VARCHAR, [1]),
  repeat: strings(2, 2, T.VARCHAR, [1]),
  abs: numberIn((t) => t),
  floor: numberIn((t) => (t.kind === 'DECIMAL' ? T.decimal(t.precision, 0) : t)),
  ceil: numberIn((t) => (t.kind === 'DECIMAL' ? T.decimal(t.precision, 0) : t)),
  round: arity(1, 2, ([a, d]) => {
    if (!isNumOrNull(a!) || (d && !isNumOrNull(d))) return `expects (number[, INT]), got ${show(d ? [a!, d] : [a!])}`;
    const t = a!.kind === 'NULL' ? T.DOUBLE : a!;
    return { args: d ? [t, T.INT] : [t], returns: t };
  }),
  truncate: arity(1, 2, ([a, d]) => (isNumOrNull(a!) ? { args: d ? [a!, T.INT] : [a!], returns: a! } : `expects a number, got ${typeToString(a!)}`)),
  power: arity(2, 2, () => ({ args: [T.DOUBLE, T.DOUBLE], returns: T.DOUBLE })),
  sqrt: doubleIn, exp: doubleIn, ln: doubleIn, log10: doubleIn,
  sign: numberIn((t) => t),
  greatest: unorderedRefused(sameTypeAll(1)), least: unorderedRefused(sameTypeAll(1)),
  rand: arity(0, 1, (args) => ({ args: same(args.length, T.INT), returns: T.DOUBLE })),
  coalesce: sameTypeAll(1),
  nullif: arity(2, 2, ([a, b]) => {
    const c = commonType(a!, b!);
    return c ? { args: [c, c], returns: a!.kind === 'NULL' ? c : a! } : `cannot compare ${show([a!, b!])}`;
  }),
  if: arity(3, 3, ([c, a, b]) => {
    if (c!.kind !== 'BOOLEAN' && c!.kind !== 'NULL') return `the condition must be BOOLEAN, got ${typeToString(c!)}`;
    const t = commonType(a!, b!);
    return t ? { args: [T.BOOLEAN, t, t], returns: t } : `branches have no common type: ${show([a!, b!])}`;
  }),
  /** date_format(timestamp, 'yyyy-MM-dd HH:mm:ss' Java-style pattern) */
  date_format: arity(2, 2, ([a]) => (isTimeOrNull(a!) || isStrOrNull(a!)
    ? { args: [T.TIMESTAMP, T.VARCHAR], returns: T.VARCHAR } : `expects (TIMESTAMP, pattern), got ${typeToString(a!)}`)),
  year: timePart, quarter: timePart, month: timePart, week: timePart, dayofmonth: timePart,
  dayofweek: timePart, dayofyear: timePart, hour: timePart, minute: timePart, second: timePart,
  /** extract(unit as a VARCHAR literal such as 'HOUR', timestamp) */
  extract: arity(2, 2, ([, a]) => (isTimeOrNull(a!) || a!.kind === 'INTERVAL'
    ? { args: [T.VARCHAR, a!.kind === 'NULL' ? T.TIMESTAMP : a!], returns: T.BIGINT } : `cannot extract from ${typeToString(a!)}`)),
  to_timestamp: strings(1, 2, T.TIMESTAMP),
  to_date: strings(1, 2, T.DATE),
  unix_timestamp: arity(0, 2, (args) => ({ args: same(args.length, T.VARCHAR), returns: T.BIGINT })),
  from_unixtime: arity(1, 2, (args) => ({ args: args.length === 1 ? [T.BIGINT] : [T.BIGINT, T.VARCHAR], returns: T.VARCHAR })),
  proctime: arity(0, 0, () => ({ args: [], returns: T.TIMESTAMP_LTZ })),
  current_timestamp: arity(0, 0, () => ({ args: [], returns: T.TIMESTAMP_LTZ })),
  /** floor_time(timestamp, unit as VARCHAR literal): FLOOR(ts TO HOUR) */
  floor_time: arity(2, 2, ([a]) => ({ args: [a!.kind === 'DATE' ? T.DATE : T.TIMESTAMP, T.VARCHAR], returns: a!.kind === 'DATE' ? T.DATE : T.TIMESTAMP })),
  ceil_time: arity(2, 2, ([a]) => ({ args: [a!.kind === 'DATE' ? T.DATE : T.TIMESTAMP, T.VARCHAR], returns: a!.kind === 'DATE' ? T.DATE : T.TIMESTAMP })),
  /** timestampdiff(unit as a VARCHAR literal, t1, t2): whole units from t1 to t2, truncated toward zero */
  timestampdiff: arity(3, 3, ([u, a, b]) => (isStrOrNull(u!) && isTimeOrNull(a!) && isTimeOrNull(b!)
    ? { args: [T.VARCHAR, a!.kind === 'NULL' ? T.TIMESTAMP : a!, b!.kind === 'NULL' ? T.TIMESTAMP : b!], returns: T.INT }
    : `expects (unit, TIMESTAMP or DATE, TIMESTAMP or DATE), got ${show([a!, b!])}`)),
  /** timestampadd(unit as a VARCHAR literal, n, t): t moved by n units (a DATE stays a DATE) */
  timestampadd: arity(3, 3, ([u, n, t]) => (isStrOrNull(u!) && isNumOrNull(n!) && isInteger(n!.kind === 'NULL' ? T.INT : n!) && isTimeOrNull(t!)
    ? { args: [T.VARCHAR, T.BIGINT, t!.kind === 'NULL' ? T.TIMESTAMP : t!], returns: t!.kind === 'NULL' ? T.TIMESTAMP : t! }
    : `expects (unit, an integer, TIMESTAMP or DATE), got ${show([n!, t!])}`)),
  /** to_timestamp_ltz(epoch number, precision 0 (seconds) or 3 (milliseconds)) */
  to_timestamp_ltz: arity(1, 2, (args) => (args.every(isNumOrNull)
    ? { args: args.length === 1 ? [T.BIGINT] : [T.BIGINT, T.INT], returns: T.TIMESTAMP_LTZ }
    : `expects (epoch number[, precision 0 or 3]), got ${show(args)}`)),
  current_date: arity(0, 0, () => ({ args: [], returns: T.DATE })),
  /** json_value(json text, path): the scalar at the path as a string */
  /** with clauses: (json, path, onEmpty, emptyDefault, onError, errorDefault); a default is any scalar, read as text */
  json_value: (args) => (args.length === 6
    ? { args: [T.VARCHAR, T.VARCHAR, T.VARCHAR, jsonDefault(args[3]!), T.VARCHAR, jsonDefault(args[5]!)], returns: T.VARCHAR }
    : jsonPathCall(T.VARCHAR)(args)),
  /** with clauses: (json, path, 'WITHOUT' | 'WITH' | 'CONDITIONAL', onEmpty, onError), each behaviour NULL, EMPTY ARRAY, EMPTY OBJECT or ERROR */
  json_query: jsonClauses(T.VARCHAR),
  /** JSON_QUERY(… RETURNING ARRAY<STRING>): the array's elements as strings */
  json_query_array: jsonClauses(T.array(T.VARCHAR)),
  /** with its clause: (json, path, 'TRUE' | 'FALSE' | 'UNKNOWN' | 'ERROR' on error) */
  json_exists: jsonClauses(T.BOOLEAN),
  /** is_json(text, 'VALUE' | 'SCALAR' | 'ARRAY' | 'OBJECT'): `x IS JSON kind` */
  is_json: jsonPathCall(T.BOOLEAN),
  /** json_array(values...): NULLs left out (ABSENT ON NULL); exact numbers read as DOUBLE when DECIMAL */
  json_array: (args) => jsonValues(args, 'a JSON array'),
  /** JSON_ARRAY(… NULL ON NULL): NULLs kept as null */
  json_array_nulls: (args) => jsonValues(args, 'a JSON array'),
  /** json_object('NULL' | 'ABSENT', key, value, …) (the parser puts the ON NULL mode first): string keys */
  json_object: (args) => {
    const key = args.findIndex((t, i) => i % 2 === 1 && !isStrOrNull(t));
    if (key >= 0) return `takes string keys: key ${(key + 1) / 2} is ${typeToString(args[key]!)}`;
    const values = jsonValues(args.slice(1).filter((_, i) => i % 2 === 1), 'a JSON object');
    if (typeof values === 'string') return values;
    return { args: [T.VARCHAR, ...args.slice(1).map((t, i) => (i % 2 === 0 ? T.VARCHAR : values.args[(i - 1) / 2]!))], returns: T.VARCHAR };
  },
  ...COLLECTION_SIGNATURES,
  ...ROW_SIGNATURES,
  ...INTERNAL_SIGNATURES,
  ...ARRAY_MAP_SIGNATURES,
};

/** The values of JSON_ARRAY / JSON_OBJECT: exact numbers read as DOUBLE when DECIMAL, no ROW. */
function jsonValues(args: readonly SqlType[], into: string): Resolution {
  const bad = args.find((t) => t.kind === 'ROW');
  if (bad) return `cannot put a ${typeToString(bad)} into ${into}`;
  return { args: args.map((t) => (t.kind === 'DECIMAL' ? T.DOUBLE : t.kind === 'NULL' ? T.VARCHAR : t)), returns: T.VARCHAR };
}

const jsonDefault = (t: SqlType): SqlType => (t.kind === 'NULL' ? T.VARCHAR : t.kind === 'DECIMAL' ? T.DOUBLE : t);

/** A JSON path call whose clauses the parser added as string arguments after the text and the path. */
function jsonClauses(returns: SqlType): Resolver {
  return (args) => (args.length > 2 ? { args: args.map(() => T.VARCHAR), returns } : jsonPathCall(returns)(args));
}

function jsonPathCall(returns: SqlType): Resolver {
  return arity(2, 2, ([j, p]) => (isStrOrNull(j!) && isStrOrNull(p!)
    ? { args: [T.VARCHAR, T.VARCHAR], returns }
    : `expects (JSON text as a string, path as a string), got ${show([j!, p!])}`));
}

/**
 * SQL names (upper case) to registry names, for calls written as functions. Operators (`+`, `=`,
 * `AND`, `LIKE`, `IN`, `IS NULL`, ...) are mapped by the binder itself.
 */
export const SQL_FUNCTION_NAMES: Readonly<Record<string, ScalarFunctionName>> = {
  CONCAT: 'concat', CONCAT_WS: 'concat_ws', UPPER: 'upper', UCASE: 'upper', LOWER: 'lower', LCASE: 'lower',
  TRIM: 'trim', LTRIM: 'ltrim', RTRIM: 'rtrim', SUBSTRING: 'substring', SUBSTR: 'substring',
  CHAR_LENGTH: 'char_length', CHARACTER_LENGTH: 'char_length', LENGTH: 'char_length',
  POSITION: 'position', LOCATE: 'position', REPLACE: 'replace', REGEXP: 'regexp', REGEXP_EXTRACT: 'regexp_extract',
  REGEXP_REPLACE: 'regexp_replace', SPLIT_INDEX: 'split_index', LPAD: 'lpad', RPAD: 'rpad', INITCAP: 'initcap',
  REPEAT: 'repeat', REVERSE: 'reverse',
  ABS: 'abs', FLOOR: 'floor', CEIL: 'ceil', CEILING: 'ceil', ROUND: 'round', TRUNCATE: 'truncate',
  POWER: 'power', POW: 'power', SQRT: 'sqrt', EXP: 'exp', LN: 'ln', LOG10: 'log10', SIGN: 'sign',
  GREATEST: 'greatest', LEAST: 'least', RAND: 'rand', MOD: 'mod',
  COALESCE: 'coalesce', NULLIF: 'nullif', IF: 'if',
  DATE_FORMAT: 'date_format', YEAR: 'year', QUARTER: 'quarter', MONTH: 'month', WEEK: 'week',
  DAYOFMONTH: 'dayofmonth', DAYOFWEEK: 'dayofweek', DAYOFYEAR: 'dayofyear', HOUR: 'hour', MINUTE: 'minute', SECOND: 'second',
  TO_TIMESTAMP: 'to_timestamp', TO_DATE: 'to_date', UNIX_TIMESTAMP: 'unix_timestamp', FROM_UNIXTIME: 'from_unixtime',
  PROCTIME: 'proctime', CURRENT_TIMESTAMP: 'current_timestamp', NOW: 'current_timestamp', LOCALTIMESTAMP: 'current_timestamp',
  TIMESTAMPDIFF: 'timestampdiff', TIMESTAMPADD: 'timestampadd', TO_TIMESTAMP_LTZ: 'to_timestamp_ltz', CURRENT_DATE: 'current_date',
  JSON_VALUE: 'json_value', JSON_QUERY: 'json_query', JSON_EXISTS: 'json_exists', JSON_ARRAY: 'json_array', IS_JSON: 'is_json',
  'JSON_ARRAY NULL ON NULL': 'json_array_nulls', JSON_OBJECT: 'json_object', 'JSON_QUERY RETURNING ARRAY': 'json_query_array',
  // ARRAY[...], MAP[...] and x[i] reach the binder as calls of ARRAY, MAP and ITEM (cst-expressions.ts)
  ARRAY: 'array_value', MAP: 'map_value', ITEM: 'item', CARDINALITY: 'cardinality', ELEMENT: 'element', ARRAY_CONTAINS: 'array_contains',
  ROW: 'row_value',
  ...ARRAY_MAP_SQL_NAMES,
};

export function resolveScalar(fn: ScalarFunctionName, args: readonly SqlType[]): Resolution {
  return SCALAR_SIGNATURES[fn](args);
}

// ─── Aggregate functions ───────────────────────────────────────────────────────────────────────

export const AGGREGATE_FUNCTIONS = ['count', 'count_star', 'sum', 'avg', 'min', 'max', 'first_value', 'last_value',
  'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp', 'listagg',
  // COLLECT(x): the MULTISET of the non-NULL values
  'collect',
  // a user-defined aggregate (binder/user-aggregates.ts): never by a SQL name, always typed by its module
  'udaf'] as const;
export type AggregateFunctionName = (typeof AGGREGATE_FUNCTIONS)[number];

export const SQL_AGGREGATE_NAMES: Readonly<Record<string, AggregateFunctionName>> = {
  COUNT: 'count', SUM: 'sum', AVG: 'avg', MIN: 'min', MAX: 'max', FIRST_VALUE: 'first_value', LAST_VALUE: 'last_value',
  STDDEV_POP: 'stddev_pop', STDDEV_SAMP: 'stddev_samp', STDDEV: 'stddev_samp', VAR_POP: 'var_pop', VAR_SAMP: 'var_samp',
  VARIANCE: 'var_samp', LISTAGG: 'listagg', COLLECT: 'collect',
};

/** The result type of an aggregate over an argument of type `arg` (Flink's rules). */
export function resolveAggregate(fn: AggregateFunctionName, arg: SqlType | undefined): Resolution {
  switch (fn) {
    case 'count': case 'count_star': return { args: arg ? [arg] : [], returns: T.BIGINT };
    case 'sum':
      if (!arg || !isNumOrNull(arg)) return `SUM expects a number, got ${arg ? typeToString(arg) : 'nothing'}`;
      if (isInteger(arg)) return { args: [arg], returns: T.BIGINT };
      if (arg.kind === 'DECIMAL') return { args: [arg], returns: T.decimal(38, arg.scale) };
      return { args: [arg], returns: arg.kind === 'NULL' ? T.DOUBLE : arg };
    case 'avg':
      if (!arg || !isNumOrNull(arg)) return `AVG expects a number, got ${arg ? typeToString(arg) : 'nothing'}`;
      // AVG of integers is a DOUBLE, as in Spark and DuckDB (Flink truncates to the argument type).
      if (arg.kind === 'DECIMAL') return { args: [arg], returns: T.decimal(38, Math.max(6, arg.scale)) };
      return { args: [arg], returns: T.DOUBLE };
    case 'min': case 'max': case 'first_value': case 'last_value':
      if (!arg) return `expects one argument`;
      if (arg.kind === 'ROW' || ((fn === 'min' || fn === 'max') && isCollection(arg))) return `cannot order values of ${typeToString(arg)}`;
      return { args: [arg], returns: arg };
    case 'stddev_pop': case 'stddev_samp': case 'var_pop': case 'var_samp':
      if (!arg || !isNumOrNull(arg)) return `expects a number, got ${arg ? typeToString(arg) : 'nothing'}`;
      return { args: [T.DOUBLE], returns: T.DOUBLE };
    case 'listagg':
      return { args: [T.VARCHAR], returns: T.VARCHAR };
    case 'collect':
      if (!arg) return 'COLLECT expects one argument';
      return { args: [arg.kind === 'NULL' ? T.VARCHAR : arg], returns: T.multiset(arg.kind === 'NULL' ? T.VARCHAR : arg) };
    case 'udaf':
      return 'is typed by its module';
    default: {
      const never: never = fn;
      return `unknown aggregate ${String(never)}`;
    }
  }
}
