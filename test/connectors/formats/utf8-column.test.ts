/**
 * The VARCHAR builder the file scanners fill (column-builders.ts): cells given as strings or as
 * byte ranges of a piece (ByteSpan), short and long, ASCII and not, NULLs among them, from any first
 * capacity: the very column utf8FromStrings builds from the strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8FromStrings } from '../../../src/common/columns.js';
import { ByteSpan, Utf8Column } from '../../../src/connectors/formats/column-builders.js';
import { fcParams } from '../../support/property.js';

describe('Utf8Column', () => {
  it('builds the column utf8FromStrings builds, from strings and from byte spans', () => {
    const cell = fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 50 }), fc.string({ maxLength: 3 }),
      fc.constantFrom('', 'é', '😀', 'x'.repeat(33), 'ü'.repeat(40)));
    fc.assert(fc.property(fc.array(cell, { maxLength: 80 }), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), fc.integer({ min: 0, max: 40 }),
      (cells, asSpan, capacity) => {
        const col = new Utf8Column(capacity);
        const span = new ByteSpan();
        cells.forEach((c, i) => {
          if (c === null || !asSpan[i]) { col.push(c); return; }
          const b = Buffer.from(`ab${c}cd`, 'utf8');
          col.push(span.set(b, 2, b.length - 2));
        });
        const got = col.finish();
        const want = utf8FromStrings(cells);
        expect(got.length).toBe(want.length);
        expect(got.nullCount).toBe(want.nullCount);
        expect([...got.valueOffsets]).toEqual([...want.valueOffsets]);
        expect(Buffer.from(got.values.subarray(0, got.valueOffsets[got.length]))).toEqual(Buffer.from(want.values.subarray(0, want.valueOffsets[want.length])));
        for (let i = 0; i < cells.length; i++) expect(got.getValid(i)).toBe(cells[i] !== null);
      }), fcParams({ numRuns: 300 }));
  });
});
