/**
 * The decompressors of Parquet's codecs beyond Snappy (parquet-codecs.ts) give a page's bytes, or
 * throw when they are not as many as its header says (so a damaged page is not read padded). ZSTD
 * on hand-made frames (Node 20 has no ZSTD compressor to make them with): one frame, two frames
 * back to back, a frame shorter than the header says. The codecs' use on real files is in
 * parquet-columnar.test.ts (DuckDB's files of every codec).
 */
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DECOMPRESSORS } from '../../../src/connectors/formats/parquet-codecs.js';

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
