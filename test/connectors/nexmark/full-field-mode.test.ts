/**
 * The generator's full-field mode (`'generator.mode' = 'full'`): every field of every event, each
 * string drawn per character as the reference generator builds its strings. It is the like-for-like
 * mode of the benchmark, so it must cost what it says (every byte drawn, every field filled) and give
 * the very values of the pruned mode, so results and checksums do not depend on the mode.
 */
import { describe, expect, it } from 'vitest';
import { valueAt } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import { generateEvents, nexmarkConfig, parseNexmarkOptions } from '../../../src/connectors/nexmark/index.js';

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

  it('is chosen by the generator.mode option, and a bad value names what is expected', () => {
    const spans = new Map();
    expect(parseNexmarkOptions(new Map([['generator.mode', 'FULL']]), spans).config.mode).toBe('full');
    expect(parseNexmarkOptions(new Map(), spans).config.mode).toBe('pruned');
    expect(() => parseNexmarkOptions(new Map([['generator.mode', 'all']]), spans)).toThrow(WeirError);
    expect(() => parseNexmarkOptions(new Map([['generator.mode', 'all']]), spans)).toThrow(/'generator.mode'.*'pruned'.*'full'/);
  });
});
