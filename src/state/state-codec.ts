/**
 * Text encoding of state keys and values for the files of the file-backed store.
 *
 * State values are meant to be JSON (DESIGN.md "State"), but accumulators can hold what plain JSON
 * loses: NaN and ±Infinity from DOUBLE arithmetic, bigint from BIGINT keys, `undefined` array slots,
 * byte arrays and Maps (DISTINCT aggregates' values). Those travel as tagged objects `{"$":tag,"v":…}`; a genuine object that happens
 * to have a `$` key is wrapped as `{"$":"o","v":{…}}` so decoding is never ambiguous. A line with no
 * tag at all (the common case) decodes with a bare JSON.parse.
 */
import type { StateValue } from './state-store.js';

const TAG = '$';

function replacer(this: unknown, _key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? { [TAG]: 'n', v: '-0' } : value;
      return { [TAG]: 'n', v: String(value) };
    case 'bigint':
      return { [TAG]: 'b', v: value.toString() };
    case 'undefined':
      return { [TAG]: 'u' };
    case 'object':
      if (value === null) return value;
      if (value instanceof Uint8Array) return { [TAG]: 'y', v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      if (value instanceof Map) return { [TAG]: 'm', v: [...value.entries()] };
      if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, TAG)) {
        // copy without the tag check recursing forever: the wrapper's `v` is re-visited, so hide `$`
        return { [TAG]: 'o', v: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, v]) };
      }
      return value;
    default:
      return value;
  }
}

function revive(x: unknown): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) x[i] = revive(x[i]);
    return x;
  }
  const o = x as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, TAG)) {
    const v = o.v;
    switch (o[TAG]) {
      case 'n': return Number(v);
      case 'b': return BigInt(v as string);
      case 'u': return undefined;
      case 'y': return new Uint8Array(Buffer.from(v as string, 'base64'));
      case 'm': return new Map((v as [unknown, unknown][]).map(([k, e]) => [revive(k), revive(e)]));
      case 'o': {
        const out: Record<string, unknown> = {};
        for (const [k, e] of v as [string, unknown][]) out[k] = revive(e);
        return out;
      }
      default: return o;
    }
  }
  for (const k of Object.keys(o)) o[k] = revive(o[k]);
  return o;
}

/** True when `v` holds something plain JSON would lose or change (checked before the slow path). */
function needsTags(v: unknown): boolean {
  switch (typeof v) {
    case 'number': return !Number.isFinite(v) || Object.is(v, -0);
    case 'string': case 'boolean': return false;
    case 'object': {
      if (v === null) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (needsTags(v[i])) return true;
        return false;
      }
      if (v instanceof Uint8Array || v instanceof Map || Object.prototype.hasOwnProperty.call(v, TAG) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return true;
      for (const k in v) if (needsTags((v as Record<string, unknown>)[k])) return true;
      return false;
    }
    default: return true; // bigint, undefined, functions, symbols
  }
}

/** JSON text of any state value, keeping what plain JSON would lose. */
export function encodeJson(value: unknown): string {
  // the replacer costs a call per node: most values are plain arrays of numbers and strings
  return needsTags(value) ? JSON.stringify(value, replacer) : JSON.stringify(value);
}

/** The inverse of encodeJson; throws SyntaxError on text that is not JSON. */
export function decodeJson(text: string): unknown {
  const parsed: unknown = JSON.parse(text);
  return text.includes(`{"${TAG}":`) ? revive(parsed) : parsed;
}

/** One line of a delta or snapshot file: `[key,value]`, or `[key]` for a delete. */
export function encodeEntry(key: string, value: StateValue | undefined): string {
  return value === undefined ? `[${JSON.stringify(key)}]` : `[${JSON.stringify(key)},${encodeJson(value)}]`;
}

/** Parse an entry line; undefined for a line that is not a well-formed entry. */
export function decodeEntry(line: string): [string, StateValue | undefined] | undefined {
  let parsed: unknown;
  try {
    parsed = decodeJson(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || parsed.length > 2) return undefined;
  if (parsed.length === 1) return [parsed[0], undefined];
  if (!Array.isArray(parsed[1])) return undefined;
  return [parsed[0], parsed[1] as StateValue];
}

/** Just the key of an entry line (compaction keeps the rest of the line as text). */
export function entryKey(line: string): { key: string; deleted: boolean } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return undefined;
  return { key: parsed[0], deleted: parsed.length === 1 };
}
