/**
 * longDecimal against Number(text), the reading it must equal bit for bit: the shortest texts of
 * random doubles, random digit strings of 16 to 19 significant digits with the point anywhere, and
 * texts within a few units of the last digit of a midpoint between two doubles (where a reading
 * that is off by the last bits rounds the wrong way).
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { longDecimal } from '../../../src/connectors/formats/long-decimal.js';
import { fcParams } from '../../support/property.js';

const read = (text: string): number => longDecimal(Buffer.from(`x${text}y`, 'latin1'), 1, text.length + 1);
const same = (text: string): void => {
  const got = read(text);
  const want = Number(text);
  if (!Object.is(got, want)) expect({ text, got }).toEqual({ text, got: want });
};

/** `x`'s digits without an exponent (toFixed for small magnitudes), or undefined when it needs one */
function plainText(x: number): string | undefined {
  const s = String(x);
  return /e/.test(s) ? undefined : s;
}

/** The exact decimal expansion of the midpoint between positive double `x` and the next one up. */
function midpointText(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const raw = view.getBigUint64(0);
  const exp = Number((raw >> 52n) & 0x7ffn);
  const mant = (raw & ((1n << 52n) - 1n)) | (exp === 0 ? 0n : 1n << 52n);
  // x = mant · 2^(exp − 1075); the midpoint is (2·mant + 1) · 2^(exp − 1076)
  const e = (exp === 0 ? 1 : exp) - 1076;
  const m = 2n * mant + 1n;
  if (e >= 0) return (m << BigInt(e)).toString();
  // m / 2^-e = m · 5^-e / 10^-e
  const digits = (m * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
  return `${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`;
}

/** `text` cut to `n` significant digits, its last digit moved by `delta` (0..9 kept) */
function cut(text: string, n: number, delta: number): string {
  let seen = 0;
  let out = '';
  for (const ch of text) {
    if (ch === '.') { out += ch; continue; }
    if (seen === 0 && ch === '0') { out += ch; continue; }
    if (seen === n) break;
    seen++;
    out += seen === n ? String(Math.min(9, Math.max(0, Number(ch) + delta))) : ch;
  }
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

/** x^-1 mod 2^bits, x odd (Newton's iteration) */
function inverseMod2(x: bigint, bits: number): bigint {
  const mod = 1n << BigInt(bits);
  let y = 1n;
  for (let i = 0; i < 7; i++) y = (y * (2n - x * y)) % mod;
  return ((y % mod) + mod) % mod;
}

/**
 * A text of at most 18 significant digits with `k` fraction digits whose value is within 2^-48 /
 * 10^k of a midpoint between two doubles near 2^e, above it or below (`above`): the midpoint's odd
 * multiplier times 5^k is chosen ±1 modulo the power of two it is divided by. Closer to a midpoint
 * than a sum of two doubles can tell apart (the reading must notice and ask Number), unlike any
 * cut of a midpoint's digits.
 */
function nearMidpoint(k: number, e: number, above: boolean, high: bigint): string | undefined {
  // the midpoint (2X + 1) · 2^(e − 53) times 10^k is (2X + 1) · 5^k / 2^s
  const s = 53 - e - k;
  if (s < 2 || s > 52) return undefined;
  const mod = 1n << BigInt(s);
  const five = 5n ** BigInt(k);
  // (2X + 1) · 5^k ≡ ±1 (mod 2^s), 2X + 1 in [2^53, 2^54)
  let odd = (above ? inverseMod2(five, s) : mod - inverseMod2(five, s)) % mod;
  odd += ((1n << 53n) + (high % (1n << 53n))) / mod * mod;
  if (odd < 1n << 53n) odd += mod;
  if (odd >= 1n << 54n || odd % 2n === 0n) return undefined;
  const scaled = odd * five;
  const m = above ? scaled / mod : (scaled + mod - 1n) / mod;
  const digits = m.toString();
  if (digits.length > 18) return undefined;
  const padded = digits.padStart(k + 1, '0');
  return `${padded.slice(0, padded.length - k)}.${padded.slice(padded.length - k)}`;
}

describe('longDecimal', () => {
  it('reads edge texts as Number does', () => {
    for (const t of [
      '0', '0.0', '000.000', '1234567890123456', '12345678901234567', '123456789012345678', '1234567890123456789',
      '0.1234567890123456', '0.12345678901234567', '0.000000000000000000001234567890123456', '9007199254740993',
      '9007199254740993.0', '18446744073709551615', '999999999999999999', '0.99999999999999999999', '1.7976931348623157',
      '4503599627370496.5', '4503599627370497.5', '0.30000000000000004', '123.456000000000000000',
    ]) same(t);
  });

  it('reads the shortest texts of random doubles as Number does', async () => {
    await fc.assert(fc.property(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, fixed) => {
      const s = plainText(x);
      if (s !== undefined) same(s);
      if (x < 1e21) same(x.toFixed(fixed));
    }), fcParams({ numRuns: 3000 }));
  });

  it('reads random digits, the point anywhere, as Number does', async () => {
    const digitText = fc.tuple(fc.integer({ min: 16, max: 19 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 3 }))
      .chain(([n, point, zeros]) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((ds) => {
        const all = '0'.repeat(zeros) + ['1', ...ds.slice(1).map(String)].join('');
        const at = Math.max(1, all.length - point);
        return point === 0 ? all : `${all.slice(0, at)}.${all.slice(at)}`;
      }));
    await fc.assert(fc.property(digitText, same), fcParams({ numRuns: 3000 }));
  });

  it('reads texts within 2^-48 / 10^k of a midpoint between two doubles as Number does', async () => {
    const cases = fc.tuple(fc.integer({ min: 17, max: 22 }), fc.integer({ min: -75, max: 10 }), fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }));
    let made = 0;
    await fc.assert(fc.property(cases, ([k, e, above, high]) => {
      const text = nearMidpoint(k, e, above, high);
      if (text === undefined) return;
      made++;
      same(text);
    }), fcParams({ numRuns: 3000 }));
    expect(made).toBeGreaterThan(100);
  });

  it('reads texts next to the midpoint between two doubles as Number does', async () => {
    const near = fc.tuple(
      fc.double({ min: 1e-6, max: 1e18, noNaN: true }),
      fc.integer({ min: 16, max: 19 }),
      fc.integer({ min: -2, max: 2 }),
    );
    await fc.assert(fc.property(near, ([x, n, delta]) => same(cut(midpointText(x), n, delta))), fcParams({ numRuns: 3000 }));
  });
});
