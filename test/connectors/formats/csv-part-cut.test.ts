/**
 * csvPartCut (where a part of a CSV file may end) jumps by indexOf: outside quotes to the next quote
 * or line break, inside to the closing quote, a quote's place in its field judged by the byte before it. Here it must give the cut of the byte-by-byte scan it replaced (kept below as the
 * oracle: it tracks "a field starts here" on every byte), on random bytes drawn from what matters to
 * it: quotes (doubled, stray, after text), delimiters, LF, CR, a byte order mark, other bytes, with
 * records of any length and no line break at the end. A fresh seed each run, printed; WEIR_SEED replays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvPartCut } from '../../../src/connectors/formats/csv-bytes.js';
import { fcParams } from '../../support/property.js';

/** The former csvPartCut: one loop over every byte of a record holding a quote. */
function byteByByteCut(b: Uint8Array, quote: number, delimiter: number): number {
  const n = b.length;
  let cut = 0;
  let scanned = 0;
  let pos = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (pos < n) {
    const q = b.indexOf(quote, pos);
    const upTo = q < 0 ? n : q;
    const lastBreak = upTo > pos ? b.lastIndexOf(0x0a, upTo - 1) : -1;
    if (lastBreak >= pos) {
      if (lastBreak + 1 >= scanned) cut = lastBreak + 1;
      pos = lastBreak + 1;
    }
    if (q < 0) return cut;
    let inQuote = false;
    let wellFormed = true;
    let fieldStart = true;
    let firstBreak = -1;
    let i = pos;
    for (; i < n; i++) {
      const c = b[i]!;
      if (c === quote) {
        if (!inQuote) {
          if (!fieldStart) wellFormed = false;
          inQuote = true;
        } else if (b[i + 1] === quote) {
          i++;
        } else {
          const next = b[i + 1];
          if (next !== undefined && next !== delimiter && next !== 0x0a && next !== 0x0d) wellFormed = false;
          inQuote = false;
        }
        fieldStart = false;
      } else if (c === 0x0a) {
        if (firstBreak < 0) firstBreak = i;
        if (!inQuote) break;
      } else if (!inQuote) {
        fieldStart = c === delimiter;
      }
    }
    if (i >= n) return cut;
    scanned = Math.max(scanned, i + 1);
    if (wellFormed) {
      if (i + 1 >= scanned) cut = i + 1;
      pos = i + 1;
    } else {
      pos = firstBreak + 1;
    }
  }
  return cut;
}

/** Bytes of a CSV-like text: mostly well-formed quoted and plain fields, now and then broken quoting. */
const pieces = (quote: string, delimiter: string): fc.Arbitrary<string> => fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'bc', 'xyz1', '', ' ') },
  { weight: 4, arbitrary: fc.constantFrom(delimiter) },
  { weight: 3, arbitrary: fc.constantFrom('\n', '\r\n') },
  { weight: 3, arbitrary: fc.constantFrom(`${quote}a${delimiter}b${quote}`, `${quote}${quote}`, `${quote}x${quote}${quote}y${quote}`, `${quote}line\nbreak${quote}`) },
  { weight: 1, arbitrary: fc.constantFrom(quote, `${quote}a${quote}b`, `é${quote}`, '\r') },
);

const texts = fc.constantFrom([',', '"'], [';', '\''], ['\t', '"']).chain(([delimiter, quote]) =>
  fc.tuple(fc.constant(delimiter!), fc.constant(quote!), fc.boolean(), fc.array(pieces(quote!, delimiter!), { maxLength: 80 })));

describe('csvPartCut', () => {
  it('cuts where the byte-by-byte scan cut, on random CSV-like bytes', () => {
    fc.assert(fc.property(texts, ([delimiter, quote, bom, parts]) => {
      const b = Buffer.from(`${bom ? '\ufeff' : ''}${parts.join('')}`, 'utf8');
      const q = quote.charCodeAt(0);
      const d = delimiter.charCodeAt(0);
      expect(csvPartCut(b, q, d)).toBe(byteByByteCut(b, q, d));
      // and on every prefix (a window ending anywhere in a record)
      for (let k = 0; k <= b.length; k += 1 + (k % 7)) expect([k, csvPartCut(b.subarray(0, k), q, d)]).toEqual([k, byteByByteCut(b.subarray(0, k), q, d)]);
    }), fcParams({ numRuns: 400 }));
  });

  it('cuts after the last record of a file quoting every text field, and before a record left open', () => {
    const line = '1,"a,b","say ""hi"""\n';
    const b = Buffer.from(line.repeat(3) + '2,"open', 'utf8');
    expect(csvPartCut(b, 0x22, 0x2c)).toBe(line.length * 3);
    // a stray quote in an unquoted field: the cut waits until a record ends past the lines it joined
    const stray = Buffer.from('1,x"y\n2,z\n3,"q"\n', 'utf8');
    expect(csvPartCut(stray, 0x22, 0x2c)).toBe(byteByByteCut(stray, 0x22, 0x2c));
  });
});
