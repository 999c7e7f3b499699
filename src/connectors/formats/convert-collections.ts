/**
 * ARRAY, MAP and MULTISET values through the text formats (convert.ts): a JSON array into an ARRAY,
 * a JSON object into a MAP (its keys, text in JSON, read as the MAP's key type), and back. A
 * MULTISET is read from a JSON object of element → count, as Flink's JSON format writes it, or
 * from a JSON array of its elements (each counted); it is written as the object.
 *
 * CSV has no form for them: the CSV format refuses such a column when the table is read or written
 * (csv.ts), so the 'text' source never reaches here with one.
 */
import type { SqlType } from '../../common/types.js';
import { ConversionFailure } from './conversion-failure.js';
import { JsonNumberText } from './json-values.js';

type Convert = (t: SqlType, v: unknown, column: string) => unknown;

const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumberText) && !(v instanceof Map) && !(v instanceof Date);

/** A JSON value into the JS value of collection type `t` (see common/collections.ts); ConversionFailure when it is not one. */
export function convertCollection(t: SqlType, v: unknown, column: string, convert: Convert): unknown {
  const fail = (why: string): never => {
    throw new ConversionFailure(column, v, t, why);
  };
  switch (t.kind) {
    case 'ARRAY':
      if (!Array.isArray(v)) return fail('expected a JSON array');
      return v.map((e, i) => convert(t.element, e, `${column}[${i + 1}]`));
    case 'MAP': {
      const entries = v instanceof Map ? [...v.entries()] : isJsonObject(v) ? Object.entries(v) : fail('expected a JSON object');
      const out = new Map<unknown, unknown>();
      for (const [k, x] of entries) {
        const key = convert(t.key, k, `${column} key`);
        if (key === null) fail('a MAP key is never NULL');
        out.set(key, convert(t.value, x, `${column}[${String(k)}]`));
      }
      return out;
    }
    case 'MULTISET': {
      const out = new Map<unknown, number>();
      if (Array.isArray(v)) {
        v.forEach((e, i) => {
          const x = convert(t.element, e, `${column}[${i + 1}]`);
          out.set(x, (out.get(x) ?? 0) + 1);
        });
        return out;
      }
      const entries = v instanceof Map ? [...v.entries()] : isJsonObject(v) ? Object.entries(v) : fail('expected a JSON object of counts or a JSON array');
      for (const [k, c] of entries) {
        const n = convert({ kind: 'INT' }, c, `${column}[${String(k)}]`);
        if (typeof n !== 'number' || n < 1) fail(`the count of ${String(k)} must be a positive integer`);
        out.set(convert(t.element, k, `${column} element`), n as number);
      }
      return out;
    }
    default:
      return fail(`not a collection type: ${t.kind}`);
  }
}

/**
 * A collection's JS value as a JSON value: an ARRAY as an array; a MAP whose keys are all text or
 * numbers as an object (keys as their JSON text); a MAP with other keys as an array of
 * {key, value} objects, since a JSON object's keys are strings.
 */
export function collectionToJson(t: SqlType, v: unknown, toJson: (t: SqlType, v: unknown) => unknown): unknown {
  switch (t.kind) {
    case 'ARRAY': return (v as unknown[]).map((e) => toJson(t.element, e));
    case 'MAP': case 'MULTISET': {
      const keyType = t.kind === 'MAP' ? t.key : t.element;
      const valueType: SqlType = t.kind === 'MAP' ? t.value : { kind: 'INT' };
      const entries = [...(v as Map<unknown, unknown>).entries()];
      const scalarKeys = keyType.kind !== 'ROW' && keyType.kind !== 'ARRAY' && keyType.kind !== 'MAP' && keyType.kind !== 'MULTISET';
      if (!scalarKeys) return entries.map(([k, x]) => ({ key: toJson(keyType, k), value: toJson(valueType, x) }));
      const out: Record<string, unknown> = {};
      for (const [k, x] of entries) {
        const key = toJson(keyType, k);
        out[key instanceof JsonNumberText ? key.text : String(key)] = toJson(valueType, x);
      }
      return out;
    }
    default:
      return v;
  }
}
