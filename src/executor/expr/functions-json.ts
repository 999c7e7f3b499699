/**
 * JSON_VALUE, JSON_QUERY, JSON_EXISTS and JSON_ARRAY over JSON text (VARCHAR), with Flink's default
 * behaviours: JSON_VALUE is NULL ON EMPTY and NULL ON ERROR (bad JSON, a non-scalar, a strict path
 * that finds nothing), JSON_QUERY WITHOUT ARRAY WRAPPER and NULL ON EMPTY / ERROR (a scalar is an
 * error), JSON_EXISTS FALSE ON ERROR, JSON_ARRAY ABSENT ON NULL, JSON_OBJECT NULL ON NULL (each
 * takes the other ON NULL too). Paths: json-path.ts.
 *
 * A constant path (the usual case) is parsed once; a row's text is parsed once per call.
 */
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { Call } from '../../planner/expr.js';
import type { FnImpl, Node } from './node.js';
import { constOf, isConst, perRow, runtimeError } from './node.js';
import type { JsonPath } from './json-path.js';
import { EMPTY, evalJsonPath, JsonMatches, JsonPathError, parseJsonPath } from './json-path.js';

const NO_JSON: unique symbol = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NO_JSON;
  }
}

/** The path reader: parsed once when constant; a path Weir cannot read is the user's error, at the call. */
function pathOf(arg: Node, call: Call): (p: unknown) => JsonPath {
  const read = (p: unknown): JsonPath => {
    try {
      return parseJsonPath(p as string);
    } catch (e) {
      if (e instanceof JsonPathError) throw runtimeError(`${call.fn.toUpperCase()}: ${e.message}`, call.span);
      throw e;
    }
  };
  if (isConst(arg) && constOf(arg) !== null) {
    const fixed = read(constOf(arg));
    return () => fixed;
  }
  return read;
}

/** The value at the path, EMPTY when there is none, NO_JSON for text that is not JSON or a strict path's error. */
function lookup(text: unknown, path: JsonPath): unknown {
  const doc = parseJson(text as string);
  if (doc === NO_JSON) return NO_JSON;
  try {
    return evalJsonPath(doc, path);
  } catch (e) {
    if (e instanceof JsonPathError) return NO_JSON;
    throw e;
  }
}

/**
 * JSON_VALUE; with clauses its arguments go on (onEmpty, emptyDefault, onError, errorDefault), each
 * behaviour NULL, ERROR or DEFAULT (the default's value as text; the RETURNING cast is around the call).
 */
const jsonValue: FnImpl = (args, call) => {
  const path = pathOf(args[1]!, call);
  const behave = (mode: unknown, dflt: unknown, what: string): string | null => {
    if (mode === 'ERROR') throw runtimeError(`JSON_VALUE: ${what} (ERROR ON ${what === 'no value at the path' ? 'EMPTY' : 'ERROR'})`, call.span);
    if (mode === 'DEFAULT') return dflt === null || dflt === undefined ? null : String(dflt);
    return null;
  };
  return perRow(args, call.type, (j, p, onEmpty, emptyDefault, onError, errorDefault) => {
    if (j === null || j === undefined || p === null || p === undefined) return null;
    const v = lookup(j, path(p));
    if (v === EMPTY) return behave(onEmpty, emptyDefault, 'no value at the path');
    if (v === NO_JSON || (v !== null && typeof v === 'object')) {
      return behave(onError, errorDefault, v === NO_JSON ? 'not JSON, or a strict path found nothing' : 'the value at the path is not a scalar');
    }
    if (v === null) return null;
    return typeof v === 'string' ? v : String(v);
  }, true);
};

const EMPTY_ARRAY: readonly unknown[] = [];

/**
 * JSON_QUERY's result as a JS value: [WITH [CONDITIONAL] | WITHOUT] ARRAY WRAPPER (WITH wraps what
 * it finds in an array, CONDITIONAL what is no array; a wildcard's matches are an array already), and
 * ON EMPTY / ON ERROR: NULL, EMPTY ARRAY, EMPTY OBJECT or ERROR (nothing at the path, JSON null and, in
 * lax mode, a scalar left unwrapped are empty; text that is not JSON, a strict path that finds nothing
 * and, in strict mode, a scalar left unwrapped are errors). null for SQL NULL.
 */
function queryValue(call: Call, v: unknown, strict: boolean, wrapper: unknown, onEmpty: unknown, onError: unknown): unknown {
  const behave = (mode: unknown, target: 'EMPTY' | 'ERROR', what: string): unknown => {
    if (mode === 'EMPTY ARRAY') return EMPTY_ARRAY;
    if (mode === 'EMPTY OBJECT') return {};
    if (mode === 'ERROR') throw runtimeError(`JSON_QUERY: ${what} (ERROR ON ${target})`, call.span);
    return null;
  };
  if (v === EMPTY || v === null) return behave(onEmpty, 'EMPTY', 'no value at the path');
  if (v === NO_JSON) return behave(onError, 'ERROR', 'not JSON, or a strict path found nothing');
  const found = v instanceof JsonMatches ? v.values : v;
  const structured = found !== null && typeof found === 'object';
  // CONDITIONAL wraps whatever is not an array already (an object too: Flink's '{}' gives '[{}]')
  if (wrapper === 'WITH' || (wrapper === 'CONDITIONAL' && !Array.isArray(found))) return [found];
  if (structured) return found;
  // a scalar left unwrapped: empty in lax mode, an error in strict mode (as Calcite, which Flink runs)
  const what = 'the value at the path is a scalar, which needs WITH ARRAY WRAPPER';
  return strict ? behave(onError, 'ERROR', what) : behave(onEmpty, 'EMPTY', what);
}

/** JSON_QUERY: the JSON text of what queryValue finds. */
const jsonQuery: FnImpl = (args, call) => {
  const path = pathOf(args[1]!, call);
  return perRow(args, call.type, (j, p, wrapper, onEmpty, onError) => {
    if (j === null || j === undefined || p === null || p === undefined) return null;
    const jp = path(p);
    const v = queryValue(call, lookup(j, jp), jp.strict, wrapper ?? 'WITHOUT', onEmpty, onError);
    return v === null ? null : JSON.stringify(v);
  }, true);
};

/** JSON_QUERY(… RETURNING ARRAY<STRING>): the elements of the array found, strings as they are, other values as JSON text. */
const jsonQueryArray: FnImpl = (args, call) => {
  const path = pathOf(args[1]!, call);
  return perRow(args, call.type, (j, p, wrapper, onEmpty, onError) => {
    if (j === null || j === undefined || p === null || p === undefined) return null;
    const jp = path(p);
    let v = queryValue(call, lookup(j, jp), jp.strict, wrapper, onEmpty, onError);
    // an object found is no array of strings: the ON ERROR behaviour
    if (v !== null && !Array.isArray(v)) {
      if (onError === 'ERROR') throw runtimeError('JSON_QUERY: RETURNING ARRAY<STRING> found an object, not an array (ERROR ON ERROR)', call.span);
      v = onError === 'EMPTY ARRAY' ? EMPTY_ARRAY : null;
    }
    if (v === null) return null;
    return (v as unknown[]).map((x) => (x === null ? null : typeof x === 'string' ? x : JSON.stringify(x)));
  }, true);
};

/** JSON_EXISTS: whether the path finds something; on an error (bad JSON, a strict miss) TRUE, FALSE (default), UNKNOWN (NULL) or ERROR. */
const jsonExists: FnImpl = (args, call) => {
  const path = pathOf(args[1]!, call);
  return perRow(args, call.type, (j, p, onError) => {
    if (j === null || j === undefined || p === null || p === undefined) return null;
    const v = lookup(j, path(p));
    if (v !== NO_JSON) return v !== EMPTY && !(v instanceof JsonMatches && v.values.length === 0);
    if (onError === 'ERROR') throw runtimeError('JSON_EXISTS: not JSON, or a strict path found nothing (ERROR ON ERROR)', call.span);
    return onError === 'TRUE' ? true : onError === 'UNKNOWN' ? null : false;
  }, true);
};

/** A SQL value as JSON: numbers and booleans as themselves, anything else as a string. */
function toJson(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(String(v));
}

/** Flink embeds a JSON_OBJECT or JSON_ARRAY value as JSON, not as a string holding it. */
const JSON_MAKERS = new Set(['json_object', 'json_array', 'json_array_nulls']);

/** Each argument's JSON text: nested JSON_OBJECT / JSON_ARRAY as they are, other values by toJson. */
function jsonOf(call: Call): ((v: unknown) => string)[] {
  return call.args.map((a) => (a.kind === 'call' && JSON_MAKERS.has(a.fn) ? (v: unknown) => String(v) : toJson));
}

const isNull = (v: unknown): boolean => v === null || v === undefined;

/** JSON_ARRAY: ABSENT ON NULL (json_array) leaves NULLs out, NULL ON NULL (json_array_nulls) writes null. */
const jsonArray = (keepNulls: boolean): FnImpl => (args, call) => {
  const json = jsonOf(call);
  return perRow(args, call.type, (...vs) => {
    const out: string[] = [];
    vs.forEach((v, i) => {
      if (!isNull(v)) out.push(json[i]!(v));
      else if (keepNulls) out.push('null');
    });
    return `[${out.join(',')}]`;
  }, true);
};

/** JSON_OBJECT(mode, k, v, …): a NULL value is null (NULL ON NULL) or left out (ABSENT ON NULL); a repeated key keeps its place, the last value. */
const jsonObject: FnImpl = (args, call) => {
  const json = jsonOf(call);
  return perRow(args, call.type, (mode, ...kvs) => {
    const entries = new Map<string, string>();
    for (let i = 0; i < kvs.length; i += 2) {
      const k = kvs[i], v = kvs[i + 1];
      if (isNull(k)) throw runtimeError('JSON_OBJECT: a key is NULL', call.span);
      if (isNull(v)) {
        if (mode === 'NULL') entries.set(k as string, 'null');
        continue;
      }
      entries.set(k as string, json[i + 2]!(v));
    }
    return `{${[...entries].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  }, true);
};

/** `x IS JSON [VALUE | SCALAR | ARRAY | OBJECT]`: FALSE for NULL and for text that is not JSON of that kind. */
const isJson: FnImpl = (args, call) => perRow(args, call.type, (text, kind) => {
  if (text === null || text === undefined) return false;
  const v = parseJson(text as string);
  if (v === NO_JSON) return false;
  switch (kind) {
    case 'SCALAR': return v === null || typeof v !== 'object';
    case 'ARRAY': return Array.isArray(v);
    case 'OBJECT': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: return true;
  }
}, true);

export const JSON_FUNCTIONS = {
  is_json: isJson,
  json_value: jsonValue,
  json_query: jsonQuery,
  json_query_array: jsonQueryArray,
  json_exists: jsonExists,
  json_array: jsonArray(false),
  json_array_nulls: jsonArray(true),
  json_object: jsonObject,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
