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
  if (out.length !== outputLength) throw new Error(`a ${codec} page of ${out.length} bytes where its header says ${outputLength}`);
  return out;
}

/** Decompressors by codec name, as hyparquet's `compressors` option takes them. */
export type Decompressors = Partial<Record<CodecName, Decompress>>;

export const DECOMPRESSORS: Decompressors = {
  GZIP: (input, n) => exactly(zlib.gunzipSync(input), n, 'GZIP'),
  BROTLI: (input, n) => exactly(zlib.brotliDecompressSync(input), n, 'BROTLI'),
  // (fzstd sized by itself: given a buffer of the header's size it would return that buffer, padded)
  ZSTD: (input, n) => exactly(zstdNative ? zstdNative(input) : decompressZstd(input), n, 'ZSTD'),
  // (these fill a buffer of the header's size: a page that decompresses shorter is not caught here)
  LZ4_RAW: (input, n) => exactly(decompressLz4Raw(input, n), n, 'LZ4_RAW'),
  LZ4: (input, n) => exactly(decompressLz4(input, n), n, 'LZ4'),
};
