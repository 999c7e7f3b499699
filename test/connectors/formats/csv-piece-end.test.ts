/**
 * pieceEnd (where a piece of a CSV file read in chunks may end, csv-piece-end.ts) against a byte by
 * byte count of quote parity: past the last line feed outside quotes. Its two ways (indexOf jumps
 * where quotes are far apart, four bytes a step where they are close) must agree with the count on
 * any bytes: quotes dense (every cell quoted, doubled quotes) and sparse, line feeds inside and
 * outside quotes, at any offset into the buffer (the word scan's alignment) and any length (its
 * tail), with three quote characters. A fresh seed each run, printed; WEIR_SEED replays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pieceEnd } from '../../../src/connectors/formats/csv-piece-end.js';
import { fcParams } from '../../support/property.js';

function byteByByte(b: Uint8Array, length: number, quote: number): number {
  let inQuote = false;
  let safe = 0;
  for (let i = 0; i < length; i++) {
    if (b[i] === quote) inQuote = !inQuote;
    else if (b[i] === 0x0a && !inQuote) safe = i + 1;
  }
  return safe;
}

/** bytes of a CSV-like file: cells quoted with probability `quoted`, some holding quotes, line feeds and other bytes */
const file = (quote: number): fc.Arbitrary<Uint8Array> => fc.tuple(
  // half the files quote every cell: 64 quotes close together switch pieceEnd to its word scan
  fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  fc.array(fc.tuple(fc.nat(40), fc.nat(99), fc.nat(99)), { minLength: 0, maxLength: 600, size: 'max' }),
).map(([quoted, cells]) => {
  const out: number[] = [];
  for (const [len, a, b] of cells) {
    const q = a / 100 < quoted;
    if (q) out.push(quote);
    for (let k = 0; k < len % 9; k++) {
      const r = (a * 31 + b * 17 + k * 7) % 100;
      out.push(r < 3 ? quote : r < 6 ? 0x0a : r < 8 ? 0x0d : r < 10 ? 0x80 + (r % 7) : 0x61 + (r % 26));
    }
    if (q) out.push(quote);
    out.push(b < 15 ? 0x0a : 0x2c);
  }
  return Uint8Array.from(out);
});

describe('pieceEnd', () => {
  for (const quote of [0x22, 0x27, 0x7c]) {
    it(`gives the byte-by-byte count's end, by jumps or by words (quote ${String.fromCharCode(quote)}; property)`, () => {
      fc.assert(fc.property(file(quote), fc.nat(7), fc.nat(100), (bytes, offset, cutBack) => {
        // the file at `offset` into a larger buffer, read up to `length`
        const buf = new Uint8Array(bytes.length + offset + 8).fill(quote);
        buf.set(bytes, offset);
        const b = buf.subarray(offset, offset + bytes.length + 8);
        const length = Math.max(0, bytes.length - (cutBack % Math.max(1, bytes.length + 1)));
        expect(pieceEnd(b, length, quote)).toBe(byteByByte(b, length, quote));
      }), fcParams({ numRuns: 300 }));
    });
  }

  it('reads by words where quotes are close together, and agrees on a long file quoting every cell', () => {
    const line = '"1","2","some text, with a comma","x""y","multi\nline","2026-01-01 00:00:00.000","é"\n';
    const text = Buffer.from(line.repeat(2000) + '"unclosed,1\n2\n');
    for (const start of [0, 1, 2, 3]) {
      const b = text.subarray(start);
      for (const length of [b.length, b.length - 5, 4096, 4097, 4098, 4099]) expect(pieceEnd(b, length, 0x22)).toBe(byteByByte(b, length, 0x22));
      // every length over the first lines: the switch to words at the 64th quote, and a piece
      // ending within the bytes before the first word boundary after it
      for (let length = 0; length <= 800; length++) expect(pieceEnd(b, length, 0x22), `${start} ${length}`).toBe(byteByByte(b, length, 0x22));
    }
  });
});
