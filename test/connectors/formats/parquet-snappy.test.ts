/**
 * Weir's Snappy decompressor (parquet-snappy.ts snappyUncompress, what the columnar Parquet read
 * uses) against hyparquet's, on streams Weir's compressor writes from seeded random data, on
 * hand-built streams with the elements that compressor never writes (overlapping copies, 1-byte
 * and 4-byte offsets, literal lengths of 1 to 4 bytes), and on malformed streams, which must throw.
 */
import { snappyUncompress as reference } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { snappyCompress, snappyUncompress } from '../../../src/connectors/formats/parquet-snappy.js';
import { lcg, pick } from '../../support/lcg.js';
import { propertySeed } from '../../support/property.js';

const seed = propertySeed();

/** A stream: the length varint, then the elements' bytes. */
function stream(length: number, ...elements: number[][]): Uint8Array {
  const head: number[] = [];
  for (let v = length; ; v = Math.floor(v / 128)) {
    if (v < 128) { head.push(v); break; }
    head.push((v & 0x7f) | 0x80);
  }
  return Uint8Array.from([...head, ...elements.flat()]);
}
const literal = (bytes: number[]): number[] => {
  const l = bytes.length - 1;
  if (l < 60) return [l << 2, ...bytes];
  const len: number[] = [];
  for (let v = l; v > 0; v = Math.floor(v / 256)) len.push(v & 0xff);
  return [(59 + len.length) << 2, ...len, ...bytes];
};
const copy1 = (offset: number, len: number): number[] => [((offset >>> 8) << 5) | ((len - 4) << 2) | 1, offset & 0xff];
const copy2 = (offset: number, len: number): number[] => [((len - 1) << 2) | 2, offset & 0xff, offset >>> 8];
const copy4 = (offset: number, len: number): number[] => [((len - 1) << 2) | 3, offset & 0xff, (offset >>> 8) & 0xff, (offset >>> 16) & 0xff, offset >>> 24];

function both(input: Uint8Array, length: number): Uint8Array {
  const ours = new Uint8Array(length), theirs = new Uint8Array(length);
  snappyUncompress(input, ours);
  reference(input, theirs);
  expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
  return ours;
}

describe('snappyUncompress', () => {
  it('gives back what the compressor was given (seeded)', () => {
    const r = lcg(seed);
    for (let run = 0; run < 40; run++) {
      const n = pick(r, [0, 1, 15, 16, 17, 100, 70_000, 200_000]);
      const alphabet = pick(r, [2, 4, 256]);
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) input[i] = r() < 0.3 && i > 8 ? input[i - 1 - Math.floor(r() * 8)]! : Math.floor(r() * alphabet);
      const out = both(snappyCompress(input).slice(), n);
      expect(Buffer.from(out).equals(Buffer.from(input)), `seed ${seed} run ${run} n ${n}`).toBe(true);
    }
  });

  it('reads overlapping copies, every offset size and every literal length form', () => {
    const bytes = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i) & 0xff);
    const long = bytes(70_000, (i) => i * 7);
    const input = stream(
      3 + 20 + 5 + 64 + 300 + 64 + 70_000 + 40 + 20,
      literal([1, 2, 3]),
      copy2(1, 20), // a run of the last byte
      copy1(3, 5), // overlapping by two
      copy2(20, 64),
      literal(bytes(300, (i) => i)), // a length byte
      copy4(300, 64),
      literal(long), // three length bytes
      copy2(70_000 - 100, 40), // far back, no overlap: one memcpy
      copy1(2047, 11), copy1(3, 9),
    );
    const out = both(input, 3 + 20 + 5 + 64 + 300 + 64 + 70_000 + 40 + 11 + 9);
    expect([...out.subarray(0, 28)]).toEqual([1, 2, 3, ...Array(20).fill(3), 3, 3, 3, 3, 3]);
    expect(out.subarray(28 + 64 + 300 + 64, 28 + 64 + 300 + 64 + 70_000)).toEqual(Uint8Array.from(long));
  });

  it('reads a copy whose 4-byte offset needs its high byte', () => {
    const before = 2 ** 24 + 8;
    const head = stream(before + 10);
    const lit = new Uint8Array(5 + before);
    lit.set([63 << 2, (before - 1) & 0xff, ((before - 1) >>> 8) & 0xff, ((before - 1) >>> 16) & 0xff, (before - 1) >>> 24]);
    for (let i = 0; i < before; i++) lit[5 + i] = (i * 13) >>> 3;
    const input = new Uint8Array(head.length + lit.length + 5);
    input.set(head);
    input.set(lit, head.length);
    input.set(copy4(2 ** 24 + 3, 10), head.length + lit.length);
    const out = both(input, before + 10);
    expect(out.subarray(before)).toEqual(out.subarray(before - 2 ** 24 - 3, before - 2 ** 24 + 7));
  });

  it('throws on a malformed stream instead of reading garbage', () => {
    const cases: [string, Uint8Array, number][] = [
      ['a length other than the output', stream(4, literal([1, 2, 3, 4])), 5],
      ['a copy from before the start', stream(6, literal([1, 2]), copy1(3, 4)), 6],
      ['a zero offset', stream(6, literal([1, 2]), copy1(0, 4)), 6],
      ['a literal past the input', Uint8Array.from([4, 3 << 2, 1, 2]), 4],
      ['a copy past the output', stream(6, literal([1, 2]), copy2(1, 10)), 6],
      ['an early end', stream(8, literal([1, 2, 3])), 8],
      ['a length that never ends', Uint8Array.from([0x80, 0x80]), 0],
      ['a cut copy', Uint8Array.from([6, 4, 1, 2, 2]), 6],
    ];
    for (const [why, input, length] of cases) expect(() => snappyUncompress(input, new Uint8Array(length)), why).toThrow(/^snappy: /);
  });
});
