/**
 * The decompressors of Parquet's codecs beyond Snappy (parquet-codecs.ts) give a page's bytes, or
 * throw when they are not as many as its header says (so a damaged page is not read padded). ZSTD
 * on hand-made frames (Node 20 has no ZSTD compressor to make them with): one frame, two frames
 * back to back, a frame shorter than the header says. The codecs' use on real files is in
 * parquet-columnar.test.ts (DuckDB's files of every codec).
 */
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DECOMPRESSORS, lz4BlockLength } from '../../../src/connectors/formats/parquet-codecs.js';

/** A ZSTD frame holding `text` in one raw block (single segment, a one-byte content size). */
function zstdFrame(text: string): Uint8Array {
  const body = Buffer.from(text, 'latin1');
  const blockHeader = (body.length << 3) | 1; // last block, raw, its size
  return Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, body.length, blockHeader & 0xff, (blockHeader >> 8) & 0xff, blockHeader >> 16, ...body]);
}

describe('Parquet codecs beyond Snappy', () => {
  it('ZSTD: one frame, frames back to back, and a page shorter than its header refused', () => {
    const zstd = DECOMPRESSORS.ZSTD!;
    expect(Buffer.from(zstd(zstdFrame('abc'), 3)).toString('latin1')).toBe('abc');
    const two = new Uint8Array([...zstdFrame('abc'), ...zstdFrame('de')]);
    expect(Buffer.from(zstd(two, 5)).toString('latin1')).toBe('abcde');
    expect(() => zstd(zstdFrame('abc'), 5)).toThrow(/a ZSTD page of 3 bytes where its header says 5/);
  });

  it('LZ4_RAW and LZ4: a page shorter or longer than its header says refused, not padded or cut', () => {
    const raw = DECOMPRESSORS.LZ4_RAW!, lz4 = DECOMPRESSORS.LZ4!;
    const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
    // 'abc', then a match 3 back of 4 + 5 bytes, then the literal 'x': 'abcabcabcabcx'
    const block = Uint8Array.from([0x35, 0x61, 0x62, 0x63, 0x03, 0x00, 0x10, 0x78]);
    expect(lz4BlockLength(block)).toBe(13);
    expect(text(raw(block, 13))).toBe('abcabcabcabcx');
    expect(() => raw(block, 14)).toThrow('a LZ4_RAW page of 13 bytes where its header says 14');
    expect(() => raw(block, 12)).toThrow('a LZ4_RAW page of 13 bytes where its header says 12');
    // a literal length of 15 goes on in the next byte: 15 + 2 literals
    const long = Uint8Array.from([0xf0, 0x02, ...Buffer.from('seventeen letters')]);
    expect(text(raw(long, 17))).toBe('seventeen letters');
    // a block cut short, a match offset before the start
    expect(() => raw(block.subarray(0, 5), 13)).toThrow('a LZ4_RAW page that is not an LZ4 block');
    expect(() => raw(Uint8Array.from([0x10, 0x61, 0x05, 0x00, 0x10, 0x62]), 7)).toThrow('not an LZ4 block');
    // Hadoop's framing: each block after its decoded and encoded sizes (big-endian)
    const frame = (b: Uint8Array, decoded: number): number[] => [0, 0, 0, decoded, 0, 0, 0, b.length, ...b];
    const two = Uint8Array.from([...frame(block, 13), ...frame(long, 17)]);
    expect(text(lz4(two, 30))).toBe('abcabcabcabcxseventeen letters');
    expect(() => lz4(two, 31)).toThrow('a LZ4 page of 30 bytes where its header says 31');
    // the older LZ4 codec without the framing: one block
    expect(text(lz4(block, 13))).toBe('abcabcabcabcx');
    expect(() => lz4(block, 20)).toThrow('a LZ4 page of 13 bytes where its header says 20');
  });

  it('GZIP (members back to back too) and BROTLI, and their sizes checked', () => {
    const gzip = DECOMPRESSORS.GZIP!, brotli = DECOMPRESSORS.BROTLI!;
    const text = 'a page of values '.repeat(50);
    expect(Buffer.from(gzip(gzipSync(text), text.length)).toString()).toBe(text);
    const members = new Uint8Array([...gzipSync('ab'), ...gzipSync('cd')]);
    expect(Buffer.from(gzip(members, 4)).toString()).toBe('abcd');
    expect(() => gzip(gzipSync(text), text.length + 1)).toThrow(/a GZIP page of/);
    expect(Buffer.from(brotli(brotliCompressSync(text), text.length)).toString()).toBe(text);
    expect(() => brotli(brotliCompressSync(text), 3)).toThrow(/a BROTLI page of/);
  });
});
