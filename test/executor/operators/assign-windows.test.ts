import fc from 'fast-check';
import { fcParams } from '../../support/property.js';
import { describe, expect, it } from 'vitest';
import { alignStart, assignWindows } from '../../../src/executor/operators/window/assign-windows.js';

const pairs = (a: ReturnType<typeof assignWindows>): [number, number, number][] =>
  Array.from({ length: a.count }, (_, k) => [a.rows[k]!, a.starts[k]!, a.ends[k]!]);

describe('window assignment', () => {
  it('aligns starts for negative times and offsets', () => {
    expect(alignStart(-1, 10, 0)).toBe(-10);
    expect(alignStart(25, 10, 3)).toBe(23);
    expect(alignStart(22, 10, 3)).toBe(13);
  });

  it('TUMBLE puts each row in one window and skips NULL times', () => {
    const a = assignWindows({ kind: 'tumble', sizeMs: 10, offsetMs: 0 }, Float64Array.from([0, 9, 10, NaN, 25]));
    expect(pairs(a)).toEqual([[0, 0, 10], [1, 0, 10], [2, 10, 20], [4, 20, 30]]);
  });

  it('HOP lists every window of size containing the row, earliest first', () => {
    const a = assignWindows({ kind: 'hop', slideMs: 2, sizeMs: 6, offsetMs: 0 }, Float64Array.from([7]));
    expect(pairs(a)).toEqual([[0, 2, 8], [0, 4, 10], [0, 6, 12]]);
  });

  it('CUMULATE gives the growing windows of the row\'s period that contain it', () => {
    const a = assignWindows({ kind: 'cumulate', stepMs: 2, sizeMs: 6, offsetMs: 0 }, Float64Array.from([3, 12]));
    expect(pairs(a)).toEqual([[0, 0, 4], [0, 0, 6], [1, 12, 14], [1, 12, 16], [1, 12, 18]]);
  });

  it('HOP windows always contain the row and number size/slide (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 6 }),
      (t, slide, mult) => {
        const size = slide * mult;
        const a = assignWindows({ kind: 'hop', slideMs: slide, sizeMs: size, offsetMs: 0 }, Float64Array.from([t]));
        expect(a.count).toBe(mult);
        for (const [, s, e] of pairs(a)) {
          expect(s <= t && t < e).toBe(true);
          expect(e - s).toBe(size);
          expect(((s % slide) + slide) % slide).toBe(0);
        }
      }), fcParams());
  });
});
