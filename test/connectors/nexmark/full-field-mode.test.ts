/**
 * The generator's full-field mode (`'generator.mode' = 'full'`): every field of every event, each
 * string drawn as the reference generator draws it (names and descriptions per character, `extra`
 * six letters from each 32-bit draw). It is the like-for-like
 * mode of the benchmark, so it must cost what it says (every byte drawn, every field filled) and give
 * the very values of the pruned mode, so results and checksums do not depend on the mode.
 */
import { describe, expect, it } from 'vitest';
import { valueAt } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import { generateEvents, nexmarkConfig, parseNexmarkOptions } from '../../../src/connectors/nexmark/index.js';
import { draw, fillLetters } from '../../../src/connectors/nexmark/random.js';

const pruned = nexmarkConfig({ firstEventRate: 10_000_000 });
const full = nexmarkConfig({ firstEventRate: 10_000_000, mode: 'full' });

describe('nexmark generator: full-field mode', () => {
  it('gives every field of every event the value the pruned mode gives (any batch split)', () => {
    const from = 49_990, to = 53_321;
    const a = generateEvents(pruned, from, to);
    const mid = 51_017;
    const b1 = generateEvents(full, from, mid);
    const b2 = generateEvents(full, mid, to);
    for (const struct of ['person', 'auction', 'bid'] as const) {
      const kids = a[struct].children.length;
      for (let k = 0; k < kids; k++) {
        for (let i = 0; i < a.length; i++) {
          const got = i < b1.length ? valueAt(b1[struct].children[k]!, i) : valueAt(b2[struct].children[k]!, i - b1.length);
          const want = valueAt(a[struct].children[k]!, i);
          if (got !== want) expect.fail(`${struct} field ${k}, event ${from + i + 1}: ${String(got)} ≠ ${String(want)}`);
        }
      }
    }
  });

  it('draws the bid extras of a batch crossing the letter stream\'s wrap (every ~15 000 bids) as the pruned mode copies them', () => {
    const from = 200_000, to = 218_000;
    const a = generateEvents(pruned, from, to).bid.children[6]!;
    const b = generateEvents(full, from, to).bid.children[6]!;
    for (let i = 0; i < to - from; i++) {
      if (valueAt(b, i) !== valueAt(a, i)) expect.fail(`bid extra of event ${from + i + 1}: ${String(valueAt(b, i))} ≠ ${String(valueAt(a, i))}`);
    }
  });

  it('makes extras of letters a–z, each about 1 in 26 (six letters from each 32-bit draw)', () => {
    const counts = new Array<number>(26).fill(0);
    let letters = 0;
    const batch = generateEvents(full, 0, 20_000);
    for (const [struct, field] of [['bid', 6], ['auction', 9], ['person', 7]] as const) {
      const col = batch[struct].children[field]!;
      for (let i = 0; i < batch.length; i++) {
        const v = valueAt(col, i);
        if (typeof v !== 'string') continue;
        for (const ch of v) {
          const c = ch.charCodeAt(0) - 97;
          if (c < 0 || c >= 26) expect.fail(`${struct} extra of event ${i + 1} holds ${JSON.stringify(ch)}: ${v}`);
          counts[c]!++;
          letters++;
        }
      }
    }
    expect(letters).toBeGreaterThan(1_000_000);
    for (let c = 0; c < 26; c++) {
      expect(counts[c]! / letters, String.fromCharCode(97 + c)).toBeGreaterThan(0.9 / 26);
      expect(counts[c]! / letters, String.fromCharCode(97 + c)).toBeLessThan(1.1 / 26);
    }
  });

  it('takes letter k from base-26 digit k mod 6 of draw k / 6, lowest digit first', () => {
    const got = new Uint8Array(18);
    fillLetters(0x1234, got, 0, 0, got.length);
    const want = Array.from(got, (_, k) => 97 + (Math.floor(draw(0x1234, Math.floor(k / 6)) / 26 ** (k % 6)) % 26));
    expect([...got]).toEqual(want);
  });

  it('draws the same letters from any starting letter as from the stream\'s start', () => {
    const whole = new Uint8Array(4096);
    fillLetters(0x1234, whole, 0, 0, whole.length);
    for (const k of [0, 1, 5, 6, 7, 11, 12, 13, 1000, 4001]) {
      for (const len of [0, 1, 5, 6, 7, 30]) {
        if (k + len > whole.length) continue;
        const part = new Uint8Array(len + 2).fill(33);
        fillLetters(0x1234, part, 1, k, len);
        expect([...part.subarray(1, len + 1)], `letters [${k}, ${k + len})`).toEqual([...whole.subarray(k, k + len)]);
        expect([part[0], part[len + 1]], 'nothing written outside the range').toEqual([33, 33]);
      }
    }
  });

  it('is chosen by the generator.mode option, and a bad value names what is expected', () => {
    const spans = new Map();
    expect(parseNexmarkOptions(new Map([['generator.mode', 'FULL']]), spans).config.mode).toBe('full');
    expect(parseNexmarkOptions(new Map(), spans).config.mode).toBe('pruned');
    expect(() => parseNexmarkOptions(new Map([['generator.mode', 'all']]), spans)).toThrow(WeirError);
    expect(() => parseNexmarkOptions(new Map([['generator.mode', 'all']]), spans)).toThrow(/'generator.mode'.*'pruned'.*'full'/);
  });
});
