/**
 * A decimal of 16 to 18 digits (the shortest text of a random double has 17) read into
 * the correctly rounded double without making a string: what Number(text) gives, at a fraction of
 * its cost in the scanners (a string of every cell, then V8's parse: 1.85–2.02 s against DuckDB's
 * 0.33 s for 2 M lines of such doubles).
 *
 * How: the digits are an integer M below 10^18 and a power k ≤ 22 of ten to divide by, 10^k an exact
 * double. M is held exactly as a sum of two doubles (its first nine digits times a power of ten,
 * which is exact, plus the rest). q = M / 10^k rounded is within one ulp; the remainder M − q·10^k is computed
 * exactly (Dekker's product, then subtractions that are exact or lose only the remainder's last
 * bits), so q + remainder / 10^k is the value to within ~2^-49 of an ulp. Its rounding is then
 * right unless the value lies that close to a midpoint between two doubles: the rounding error of
 * the final sum (computed exactly) says when, and such a text (about one in 10^11 of random ones)
 * goes to Number(). So does a text of more digits (leading zeros count), or k > 22.
 */

/** 10^0 .. 10^22, exact doubles: m / 10^k with m < 2^53 is then correctly rounded, the double Number(text) gives */
export const EXACT_POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Dekker's splitter for doubles: 2^27 + 1 */
const SPLITTER = 134217729;
const POW10_HIGH = EXACT_POW10.map((p) => { const s = SPLITTER * p; return s - (s - p); });
const POW10_LOW = EXACT_POW10.map((p, i) => p - POW10_HIGH[i]!);

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** the order of the words of a double in memory: [low, high] on little-endian machines */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

/** The gap between positive `x` and its neighbour above (`up`) or below. */
function gapNextTo(x: number, up: boolean): number {
  bits[0] = x;
  if (up) {
    if (words[LOW] === 0xffffffff) { words[LOW] = 0; words[HIGH]!++; } else words[LOW]!++;
    return bits[0] - x;
  }
  if (words[LOW] === 0) { words[LOW] = 0xffffffff; words[HIGH]!--; } else words[LOW]!--;
  return x - bits[0];
}

/**
 * The double the bytes [a, z) spell, `digits(.digits)?` with no sign (the caller checked the shape),
 * correctly rounded as Number(text) rounds it.
 */
export function longDecimal(b: Buffer, a: number, z: number): number {
  let first = 0;
  let last = 0;
  let digits = 0;
  let fraction = 0;
  for (let i = a; i < z; i++) {
    const c = b[i]!;
    if (c === 0x2e) { fraction = z - i - 1; continue; }
    if (digits++ < 9) first = first * 10 + (c - 0x30);
    else last = last * 10 + (c - 0x30);
  }
  const x = digits <= 18 ? decimalFromParts(first, last, digits > 9 ? digits - 9 : 0, fraction) : undefined;
  return x ?? viaString(b, a, z);
}

/**
 * The decimal [a, z) of `b` (digits and at most one point, no sign) whose n digits a scanner gathered
 * as `first` (the first nine) and `last` (those after): exactly m / 10^k with 15 digits or fewer,
 * decimalFromParts with up to 18, Number() of the text beyond (or when decimalFromParts is not sure).
 */
export function decimalValue(first: number, last: number, n: number, fraction: number, b: Buffer, a: number, z: number): number {
  const rest = n > 9 ? n - 9 : 0;
  if (n <= 15) {
    // M = first · 10^rest + last < 10^15 < 2^53: exact, and one division rounds it correctly
    const m = first * EXACT_POW10[rest]! + last;
    return fraction === 0 ? m : m / EXACT_POW10[fraction]!;
  }
  return (n <= 18 ? decimalFromParts(first, last, rest, fraction) : undefined) ?? viaString(b, a, z);
}

/**
 * M / 10^fraction correctly rounded, for M = first · 10^rest + last written in at most 18 digits
 * (first: the first nine, last: the `rest` after them); undefined when this reading cannot be sure
 * of the rounding (fraction > 22, or the value within 2^-38 ulp of a midpoint): then Number(text).
 */
export function decimalFromParts(first: number, last: number, rest: number, fraction: number): number | undefined {
  if (fraction > 22) return undefined;
  // exact: first · 10^rest = first · 5^rest · 2^rest, and first · 5^rest < 10^9 · 5^9 < 2^53
  const scaled = first * EXACT_POW10[rest]!;
  // M rounded (one correctly rounded addition of two exact values), and what rounding left out
  const mHigh = scaled + last;
  if (fraction === 0) return mHigh;
  const mLow = last - (mHigh - scaled);
  const p = EXACT_POW10[fraction]!;
  const q = mHigh / p;
  // q · p = p1 + p2 exactly (Dekker)
  const p1 = q * p;
  const qs = SPLITTER * q;
  const qHigh = qs - (qs - q);
  const qLow = q - qHigh;
  const ph = POW10_HIGH[fraction]!;
  const pl = POW10_LOW[fraction]!;
  const p2 = ((qHigh * ph - p1) + qHigh * pl + qLow * ph) + qLow * pl;
  // M − q·p: mHigh − p1 is exact (the two are within a factor of two)
  const remainder = ((mHigh - p1) - p2) + mLow;
  const correction = remainder / p;
  const x = q + correction;
  // what rounding the sum left out, exactly (|q| ≥ |correction|)
  const t = correction - (x - q);
  const at = Math.abs(t);
  // half the gap to a neighbour of x is more than x · 2^-55: below that, no need to look closer
  if (at >= x * 2 ** -55) {
    const halfGap = gapNextTo(x, t > 0) / 2;
    // the value is within 2^-49 ulp of x + t: close to the midpoint, the rounding is not sure
    if (at >= halfGap - halfGap * 2 ** -38) return undefined;
  }
  return x;
}

function viaString(b: Buffer, a: number, z: number): number {
  return Number(b.toString('latin1', a, z));
}
