/**
 * Parquet's codecs beyond Snappy (parquet-snappy.ts): GZIP and BROTLI through Node's zlib, ZSTD
 * through zlib where Node has it (22.15 and later) and hyparquet-compressors' fzstd elsewhere, LZ4_RAW
 * and the older Hadoop-framed LZ4 through hyparquet-compressors. LZO has no decompressor here: such a
 * file is one rejected record, as before.
 *
 * Imported (with hyparquet-compressors) only when a file names one of them: most files are Snappy.
 * Both Parquet reads take the same functions: the row-by-row read as hyparquet's `compressors`, the
 * column-by-column read (parquet-pages.ts uncompress) directly.
 */
import * as zlib from 'node:zlib';
import type { ColumnMetaData } from 'hyparquet';
import { decompressLz4, decompressLz4Raw, decompressZstd } from 'hyparquet-compressors';

/** A page's bytes uncompressed, given the size the page header says. */
export type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

export type CodecName = ColumnMetaData['codec'];

const zstdNative = (zlib as { zstdDecompressSync?: (b: Uint8Array) => Buffer }).zstdDecompressSync;

function exactly(out: Uint8Array, outputLength: number, codec: string): Uint8Array {
  sized(out.length, outputLength, codec);
  return out;
}

/** Decompressors by codec name, as hyparquet's `compressors` option takes them. */
export type Decompressors = Partial<Record<CodecName, Decompress>>;

export const DECOMPRESSORS: Decompressors = {
  GZIP: (input, n) => exactly(zlib.gunzipSync(input), n, 'GZIP'),
  BROTLI: (input, n) => exactly(zlib.brotliDecompressSync(input), n, 'BROTLI'),
  // (fzstd sized by itself: given a buffer of the header's size it would return that buffer, padded)
  ZSTD: (input, n) => exactly(zstdNative ? zstdNative(input) : decompressZstd(input), n, 'ZSTD'),
  // (these fill a buffer of the header's size, padded or cut short: the page's own length is
  // walked first, from its sequences, without decoding them)
  LZ4_RAW: (input, n) => decompressLz4Raw(input, sized(lz4BlockLength(input), n, 'LZ4_RAW')),
  LZ4: (input, n) => decompressLz4(input, sized(hadoopLz4Length(input) ?? lz4BlockLength(input), n, 'LZ4')),
};

function sized(length: number, outputLength: number, codec: string): number {
  if (length < 0) throw new Error(`a ${codec} page that is not an LZ4 block`);
  if (length !== outputLength) throw new Error(`a ${codec} page of ${length} bytes where its header says ${outputLength}`);
  return outputLength;
}

/**
 * The bytes an LZ4 block (no framing) decodes to, from its sequences' lengths alone; -1 when it is
 * not a block (a length or a match offset past what is there).
 */
export function lz4BlockLength(input: Uint8Array): number {
  let i = 0;
  let out = 0;
  /** a length of 15 goes on in the bytes that follow, while they are 255 */
  const more = (n: number): number => {
    if (n !== 15) return n;
    for (let b = 255; b === 255;) {
      if (i >= input.length) return -1;
      b = input[i++]!;
      n += b;
    }
    return n;
  };
  while (i < input.length) {
    const token = input[i++]!;
    const literals = more(token >> 4);
    if (literals < 0) return -1;
    i += literals;
    out += literals;
    if (i > input.length) return -1;
    // the last sequence holds only literals
    if (i === input.length) return out;
    if (i + 2 > input.length) return -1;
    const offset = input[i]! | (input[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > out) return -1;
    const match = more(token & 15);
    if (match < 0) return -1;
    out += match + 4;
  }
  return out;
}

/**
 * The bytes an LZ4 page in Hadoop's framing (blocks each after its 4-byte big-endian decoded and
 * encoded sizes) decodes to; undefined when the page is not in that framing, as the decompressor
 * decides it (it then reads the page as one block).
 */
function hadoopLz4Length(input: Uint8Array): number | undefined {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let i = 0;
  let total = 0;
  while (i < input.length - 8) {
    const decoded = view.getUint32(i);
    const encoded = view.getUint32(i + 4);
    i += 8;
    if (input.length - i < encoded) return undefined;
    if (lz4BlockLength(input.subarray(i, i + encoded)) !== decoded) return undefined;
    total += decoded;
    i += encoded;
    if (i === input.length) return total;
  }
  return undefined;
}
