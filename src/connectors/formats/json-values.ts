/**
 * JSON text in and out, exactly and without recursion limits an input can reach.
 *
 * Reading: JSON.parse turns every number into a double, so 9007199254740993 becomes ...992 and
 * 1e400 becomes Infinity. A line that may hold such a number (a run of 16 digits, or an exponent)
 * takes a slower exact path instead (lossless-json with our own number reader): an integer is read
 * exactly (a number when safe, a bigint within int64, int64.ts), and a number no JS value holds
 * exactly is kept as its text (JsonNumberText) so the column's type decides, and a reason can show
 * the value as written. Every other line keeps the fast JSON.parse.
 *
 * Writing: a JSON value holding a bigint or a JsonNumberText is written with its exact digits (plain
 * JSON.stringify refuses a bigint), and a value nested deeper than MAX_JSON_NESTING is refused before
 * a recursive writer overflows the stack (a 6,000-deep array in a STRING field once failed a query).
 */
import type * as LosslessJson from 'lossless-json';
import { lazyModule } from '../../common/lazy-module.js';

/** lossless-json, loaded when a number first needs the exact path */
const losslessJson = lazyModule<typeof LosslessJson>('lossless-json');
import { canonicalInt64, fitsInt64 } from '../../common/int64.js';

/** How deep a value read into a STRING column (or shown in a reason) may be nested. */
export const MAX_JSON_NESTING = 1000;

/**
 * A JSON number kept as written: an integer outside int64, a number beyond the double range, or a
 * non-integral text whose double is an integer (1.00000000000000001 is not the integer 1).
 */
export class JsonNumberText {
  constructor(readonly text: string) {}
}

/**
 * Whether a JSON text may hold a number JSON.parse does not read exactly: an integer part of 16 or
 * more digits (2^53 has 16) or an exponent (1e400), in a number token (a digit run after ':', ',',
 * '[', '-', '.' or a blank). Digits inside strings rarely qualify (a URL's `id=1234567890123456` or
 * a base-36 `a3e9` do not), so ordinary lines keep the fast path. A hand-written scan: a regular
 * expression for this cost as much as JSON.parse itself.
 */
export function mayBeInexact(s: string): boolean {
  let run = 0; // length of the current digit run
  let integerPart = false; // the run starts a number token
  let fractionPart = false; // the run follows a '.'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (run === 0) {
        const p = i > 0 ? s.charCodeAt(i - 1) : 32;
        // ':' ',' '[' '-' ' ' '\t'
        integerPart = p === 58 || p === 44 || p === 91 || p === 45 || p === 32 || p === 9;
        fractionPart = p === 46;
      }
      if (++run >= 16 && integerPart) return true;
    } else {
      if ((c === 101 || c === 69) && run > 0 && (integerPart || fractionPart)) return true;
      run = 0;
    }
  }
  return false;
}

const INTEGER_TEXT = /^-?\d+$/;

/** Parse one JSON text (a line, a CSV cell holding a ROW). Throws SyntaxError when it is not JSON. */
export function parseJsonExact(text: string): unknown {
  if (!mayBeInexact(text)) return JSON.parse(text);
  try {
    return losslessJson().parse(text, undefined, {
      parseNumber: exactJsonNumber,
      // the last of duplicate keys wins, as with JSON.parse (lossless-json would throw)
      onDuplicateKey: ({ newValue }) => newValue,
    });
  } catch (e) {
    // the exact reader recurses: a deeply nested text overflows its stack, which is not a bug in Weir
    if (e instanceof RangeError) throw new SyntaxError(`nested too deeply (${e.message})`);
    throw e;
  }
}

/** The JS value of a JSON number's text (see JsonNumberText). */
export function exactJsonNumber(text: string): unknown {
  if (INTEGER_TEXT.test(text)) {
    if (text.length <= 15) return Number(text);
    const b = BigInt(text);
    return fitsInt64(b) ? canonicalInt64(b) : new JsonNumberText(text);
  }
  const x = Number(text);
  return Number.isFinite(x) && !Number.isInteger(x) ? x : new JsonNumberText(text);
}

const NUMBER_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The exact integer a decimal number text denotes ('1.5e3' → 1500n, '12e-1' → fraction), or
 * 'big' when its magnitude is at least 10^20 (beyond every SQL integer type; computed without
 * building a huge bigint for 1e400).
 */
export function exactIntegerOfText(text: string): bigint | 'fraction' | 'big' | undefined {
  const m = NUMBER_PARTS.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  let digits = (m[2]! + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - frac.length;
  if (digits === '') return 0n;
  while (exp < 0 && digits.endsWith('0')) { digits = digits.slice(0, -1); exp++; }
  if (exp < 0) return 'fraction';
  if (digits.length + exp > 20) return 'big';
  const b = BigInt(digits) * 10n ** BigInt(exp);
  return m[1] === '-' ? -b : b;
}

/** How deeply `v` nests arrays and objects (0 for a scalar), counting only up to `limit + 1`. */
export function nestingDepth(v: unknown, limit = MAX_JSON_NESTING): number {
  // iterative on purpose: the values measured here are the ones too deep for recursion
  let deepest = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null || x instanceof JsonNumberText) continue;
    if (d + 1 > deepest) deepest = d + 1;
    if (deepest > limit) return deepest;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, d + 1]);
  }
  return deepest;
}

/**
 * JSON text of a value as JSON.stringify writes it, except that a bigint and a JsonNumberText are
 * written as their exact digits. The caller bounds the nesting (nestingDepth).
 */
export function jsonText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'bigint': return v.toString();
    case 'number': case 'string': case 'boolean': return JSON.stringify(v);
    case 'object': {
      if (v instanceof JsonNumberText) return v.text;
      if (v instanceof Date) return JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : jsonText(x))).join(',')}]`;
      const parts: string[] = [];
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        parts.push(`${JSON.stringify(k)}:${jsonText(x)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default: return 'null';
  }
}

/**
 * A short preview of any value for a reason: at most `max` characters, safe for any nesting (a
 * rejected 6,000-deep array must not overflow the stack while its reason is written).
 */
export function previewValue(v: unknown, max = 100): string {
  let out = '';
  const write = (x: unknown, depth: number): void => {
    if (out.length > max) return;
    if (x === undefined) { out += 'undefined'; return; }
    if (typeof x === 'number' && !Number.isFinite(x)) { out += String(x); return; }
    if (typeof x !== 'object' || x === null || x instanceof JsonNumberText || x instanceof Date) {
      const s = jsonText(x);
      out += s.length > max ? s.slice(0, max + 1) : s;
      return;
    }
    if (depth >= max) { out += '…'; return; }
    // element by element, stopping once the preview is full (the value may hold millions)
    if (Array.isArray(x)) {
      out += '[';
      for (let i = 0; i < x.length && out.length <= max; i++) {
        if (i > 0) out += ',';
        write(x[i], depth + 1);
      }
      out += ']';
      return;
    }
    out += '{';
    let first = true;
    for (const k in x) {
      if (out.length > max) return;
      if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
      if (!first) out += ',';
      first = false;
      out += `${JSON.stringify(k)}:`;
      write((x as Record<string, unknown>)[k], depth + 1);
    }
    out += '}';
  };
  write(v, 0);
  return out.length > max ? `${out.slice(0, max - 3)}...` : out;
}
