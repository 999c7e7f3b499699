/**
 * Values read from text formats (a JSON value, a CSV cell, an API row's field) into the JS value a
 * column of a SQL type holds (common/types.ts), and column values back into text-format values.
 *
 * Reading is strict where a silent guess would corrupt data: "abc" for an INT column, 1.5 for an
 * INT, 300 for a TINYINT and 2026-02-30 for a DATE are conversion failures, which the formats turn
 * into rejected records. Reading is lenient where the meaning is plain: numeric strings for numbers,
 * numbers for strings, 'TRUE' for BOOLEAN, and three spellings of a TIMESTAMP (the contract's).
 */
import { assertNever } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { decimalToApi, decimalToText, doubleToUnscaled, fitDecimal, pow10Big, textToUnscaled } from '../../common/decimal.js';
import { ConversionFailure } from './conversion-failure.js';
import { jsonText, JsonNumberText, MAX_JSON_NESTING, nestingDepth, parseJsonExact } from './json-values.js';
import { INT_RE, readFloat, readInteger } from './numbers.js';
import { collectionToJson, convertCollection } from './convert-collections.js';
import { DAY_MS, MAX_TIMESTAMP_MS, parseDate, parseTimestamp } from './timestamps.js';

export { ConversionFailure, showValue } from './conversion-failure.js';
export { DAY_MS, MAX_TIMESTAMP_MS, parseTimestamp } from './timestamps.js';

/** How a value arrives: JSON values keep their JSON type; CSV cells are all text. */
export type ValueSource = 'json' | 'text';

/** DATE values likewise: the days a JS Date can show. */
export const MAX_DATE_DAYS = 1e8;

/**
 * Convert `v` to the JS value of SQL type `t` (null/undefined stay null). Throws ConversionFailure.
 * `column` names the value in the failure's reason.
 */
export function convertValue(t: SqlType, v: unknown, column: string, from: ValueSource = 'json'): unknown {
  if (v === null || v === undefined) return null;
  const fail = (why?: string): never => {
    throw new ConversionFailure(column, v, t, why);
  };
  switch (t.kind) {
    case 'BOOLEAN': {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (s === 'true') return true;
        if (s === 'false') return false;
      }
      return fail();
    }
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
      return readInteger(t, v, column);
    case 'FLOAT': case 'DOUBLE': case 'INTERVAL':
      return readFloat(t, v, column);
    case 'DECIMAL': {
      // the unscaled integer (common/decimal.ts), from the exact digits of the text, half up at the scale
      let u: bigint | undefined;
      if (typeof v === 'bigint') u = v * pow10Big(t.scale);
      else if (typeof v === 'number') u = doubleToUnscaled(v, t.scale);
      else if (typeof v === 'string') u = textToUnscaled(v, t.scale);
      else if (v instanceof JsonNumberText) u = textToUnscaled(v.text, t.scale);
      if (u === undefined) return fail();
      return fitDecimal(u, t.precision) ?? outOfRange(column, v, t);
    }
    case 'VARCHAR':
      if (typeof v === 'string') {
        // a lone surrogate (a JSON "\ud800" escape, a JS string) has no UTF-8 form: writing it would
        // silently change it to U+FFFD
        return isWellFormed(v) ? v : fail('not valid Unicode: a lone surrogate');
      }
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      if (v instanceof JsonNumberText) return v.text;
      if (v instanceof Date) return v.toISOString();
      // an object or array is kept as its JSON text, if it is not nested too deep to write
      if (nestingDepth(v) > MAX_JSON_NESTING) return fail(`nested deeper than ${MAX_JSON_NESTING} levels`);
      return jsonText(v);
    case 'DATE': {
      if (typeof v === 'number' || v instanceof JsonNumberText) {
        const days = typeof v === 'number' ? v : Number(v.text);
        if (!Number.isInteger(days)) return Number.isFinite(days) ? fail('not a whole number of days') : outOfRange(column, v, t);
        return Math.abs(days) <= MAX_DATE_DAYS ? days : outOfRange(column, v, t);
      }
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail() : Math.floor(v.getTime() / DAY_MS);
      if (typeof v === 'string') {
        const d = parseDate(v.trim());
        if (d !== undefined) return d;
      }
      return fail('expected YYYY-MM-DD');
    }
    case 'TIMESTAMP': {
      let ms: number | undefined;
      if (typeof v === 'number') ms = v;
      else if (typeof v === 'bigint' || v instanceof JsonNumberText) ms = Number(typeof v === 'bigint' ? v : v.text);
      else if (v instanceof Date) ms = v.getTime();
      else if (typeof v === 'string') {
        const s = v.trim();
        // a CSV cell holding epoch milliseconds is a number too
        ms = from === 'text' && INT_RE.test(s) ? Number(s) : parseTimestamp(s);
      }
      if (ms === undefined || Number.isNaN(ms)) return fail('expected ISO-8601, YYYY-MM-DD HH:MM:SS[.fff] or epoch milliseconds');
      if (!(Math.abs(ms) <= MAX_TIMESTAMP_MS)) return outOfRange(column, typeof v === 'string' ? new JsonNumberText(v.trim()) : v, t);
      return Math.floor(ms);
    }
    case 'ROW': {
      let obj: unknown = v;
      if (typeof v === 'string' && from === 'text') {
        try {
          obj = parseJsonExact(v);
        } catch {
          return fail('expected a JSON object');
        }
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || obj instanceof JsonNumberText) return fail('expected an object');
      const rec = obj as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = convertValue(f.type, fieldOf(rec, f.name), `${column}.${f.name}`, 'json');
      return out;
    }
    case 'ARRAY': case 'MAP': case 'MULTISET':
      return convertCollection(t, v, column, (et, x, c) => convertValue(et, x, c, 'json'));
    case 'NULL':
      return null;
    default:
      return assertNever(t, 'type');
  }
}

function outOfRange(column: string, v: unknown, t: SqlType): never {
  throw ConversionFailure.outOfRange(column, v, t);
}

// String.prototype.isWellFormed is in Node 20 but not in the ES2022 library the project compiles against
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * A field of a decoded object: the exact name first, then a case-insensitive match (JSON written by
 * other tools often capitalizes differently from the DDL; an exact match always wins).
 */
export function fieldOf(obj: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const k in obj) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** `2026-11-23T10:00:05.000Z`: the contract's JSON form of a TIMESTAMP. */
export function formatTimestampIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-11-23 10:00:05.000`: the SQL form (CSV cells, printed rows, partition directory names). */
export function formatTimestampSql(ms: number): string {
  const iso = new Date(ms).toISOString();
  const t = iso.indexOf('T');
  return `${iso.slice(0, t)} ${iso.slice(t + 1, iso.length - 1)}`;
}

export function formatDate(days: number): string {
  const iso = new Date(days * DAY_MS).toISOString();
  return iso.slice(0, iso.indexOf('T'));
}

/** The shortest decimal that reads back as the same float32 (0.1f prints as 0.1, not 0.100000001). */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 6; p < 10; p++) {
    const c = Number(x.toPrecision(p));
    if (Math.fround(c) === x) return c;
  }
  return x;
}

/**
 * A column value (as common/columns.ts valueAt returns it) as a JSON value: timestamps as ISO-8601
 * UTC, dates as YYYY-MM-DD, DECIMAL rounded to its scale, ROW as an object, non-finite doubles as the
 * strings "NaN"/"Infinity" (JSON has no such numbers; the reader accepts those strings back).
 */
export function toJsonValue(t: SqlType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'TIMESTAMP': return formatTimestampIso(v as number);
    case 'DATE': return formatDate(v as number);
    case 'DECIMAL': {
      // a JSON number with exactly the decimal's digits (a double where it prints as the decimal)
      const api = decimalToApi(v as number | bigint, t.scale);
      return typeof api === 'number' ? api : new JsonNumberText(api);
    }
    case 'FLOAT': return finiteOrString(shortestFloat32(v as number));
    case 'DOUBLE': case 'INTERVAL': return finiteOrString(v as number);
    case 'ROW': {
      const rec = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = toJsonValue(f.type, rec[f.name]);
      return out;
    }
    case 'ARRAY': case 'MAP': case 'MULTISET': return collectionToJson(t, v, toJsonValue);
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'VARCHAR': case 'NULL':
      return v;
    default:
      return assertNever(t, 'type');
  }
}

function finiteOrString(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/**
 * A column value as text (CSV cells, printed rows, partition directory names): timestamps in the SQL
 * form, DECIMAL with exactly `scale` decimals, ROW as JSON. null stays null.
 */
export function toTextValue(t: SqlType, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'TIMESTAMP': return formatTimestampSql(v as number);
    case 'DATE': return formatDate(v as number);
    case 'DECIMAL': return decimalToText(v as number | bigint, t.scale);
    case 'FLOAT': return String(shortestFloat32(v as number));
    case 'ROW': case 'ARRAY': case 'MAP': case 'MULTISET': return jsonText(toJsonValue(t, v)); // exact digits for a bigint field
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'DOUBLE': case 'INTERVAL':
    case 'VARCHAR': case 'NULL':
      return String(v);
    default:
      return assertNever(t, 'type');
  }
}
