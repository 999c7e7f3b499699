/**
 * Weir's own Parquet writer for flat schemas (every column a leaf: the types parquet-leaf.ts
 * writes): one row group, one PLAIN data page (v1) per column, definition levels as one RLE run
 * (no NULLs) or the validity bits bit-packed, the page compressed with Snappy (the default codec,
 * as hyparquet-writer's), column statistics (null count, min, max) in the footer.
 *
 * Why not hyparquet-writer here: it builds per-value JS arrays, statistics and dictionaries through
 * generic code at about 0.2 M rows/s; this writes from the Arrow arrays (bench/README.md, file table).
 * Nested columns (ROW, ARRAY, MAP, MULTISET) and wide DECIMALs still go through hyparquet-writer.
 */
import { Bytes, binary, i32, i64, list, struct, writeStruct, type ThriftStruct, type ThriftValue } from './parquet-thrift.js';
import { snappyCompress } from './parquet-snappy.js';
import type { LeafPage, PhysicalType } from './parquet-leaf.js';

/** A leaf column's schema element (converted types as Parquet numbers them). */
export interface FlatColumn {
  readonly name: string;
  readonly type: PhysicalType;
  readonly optional: boolean;
  readonly convertedType?: ConvertedType;
  readonly precision?: number;
  readonly scale?: number;
}

export type ConvertedType = 'UTF8' | 'DECIMAL' | 'DATE' | 'TIMESTAMP_MILLIS' | 'INT_8' | 'INT_16';
export type Codec = 'UNCOMPRESSED' | 'SNAPPY';

const TYPE: Record<PhysicalType, number> = { BOOLEAN: 0, INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6 };
const CONVERTED: Record<ConvertedType, number> = { UTF8: 0, DECIMAL: 5, DATE: 6, TIMESTAMP_MILLIS: 9, INT_8: 15, INT_16: 16 };
const CODEC: Record<Codec, number> = { UNCOMPRESSED: 0, SNAPPY: 1 };
const PLAIN = 0, RLE = 3, DATA_PAGE = 0;
const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // PAR1

/** The definition levels of an OPTIONAL leaf (bit width 1), with their 4-byte length prefix. */
function definitionLevels(out: Bytes, n: number, page: LeafPage): void {
  const start = out.length;
  out.uint32le(0);
  if (page.validBits === undefined) {
    out.varint(n * 2); // one RLE run of n ones
    out.byte(1);
  } else {
    const groups = (n + 7) >> 3; // bit-packed groups of 8 levels: exactly the validity bytes
    out.varint(groups * 2 + 1);
    out.bytes(page.validBits.subarray(0, groups));
    for (let k = page.validBits.length; k < groups; k++) out.byte(0);
  }
  const len = out.length - start - 4;
  out.buf[start] = len & 0xff; out.buf[start + 1] = (len >>> 8) & 0xff; out.buf[start + 2] = (len >>> 16) & 0xff; out.buf[start + 3] = len >>> 24;
}

function statistics(page: LeafPage): ThriftValue {
  return struct([[3, i64(page.nullCount)], [5, page.max && binary(page.max)], [6, page.min && binary(page.min)]]);
}

/** `columns` and their pages (`numRows` rows each) as the bytes of a Parquet file. */
export function writeFlatParquet(columns: readonly FlatColumn[], pages: readonly LeafPage[], numRows: number, codec: Codec = 'SNAPPY'): Uint8Array {
  let estimate = 1024;
  for (const p of pages) estimate += p.values.length + (p.validBits?.length ?? 0) + 64;
  const out = new Bytes(estimate + (estimate >> 3));
  out.bytes(MAGIC);
  const chunks: ThriftValue[] = [];
  let totalBytes = 0;
  columns.forEach((c, j) => {
    const page = pages[j]!;
    const levels = new Bytes(c.optional ? (page.validBits?.length ?? 0) + 16 : 0);
    if (c.optional) definitionLevels(levels, numRows, page);
    const rawLength = levels.length + page.values.length;
    const stored = codec === 'SNAPPY' ? snappyCompress(levels.result(), page.values) : undefined;
    const header = new Bytes(64);
    writeStruct(header, [
      [1, i32(DATA_PAGE)], [2, i32(rawLength)], [3, i32(stored?.length ?? rawLength)],
      [5, struct([[1, i32(numRows)], [2, i32(PLAIN)], [3, i32(RLE)], [4, i32(RLE)], [5, statistics(page)]])],
    ]);
    const offset = out.length;
    out.bytes(header.result());
    if (stored) out.bytes(stored);
    else { out.bytes(levels.result()); out.bytes(page.values); }
    const uncompressed = header.length + rawLength;
    totalBytes += uncompressed;
    const meta: ThriftStruct = [
      [1, i32(TYPE[c.type])], [2, list('i32', [i32(PLAIN), i32(RLE)])], [3, list('binary', [binary(c.name)])],
      [4, i32(CODEC[codec])], [5, i64(numRows)], [6, i64(uncompressed)], [7, i64(out.length - offset)],
      [9, i64(offset)], [12, statistics(page)],
    ];
    chunks.push(struct([[2, i64(offset)], [3, struct(meta)]]));
  });
  const schema: ThriftValue[] = [struct([[4, binary('root')], [5, i32(columns.length)]])];
  for (const c of columns) {
    schema.push(struct([
      [1, i32(TYPE[c.type])], [3, i32(c.optional ? 1 : 0)], [4, binary(c.name)],
      [6, c.convertedType && i32(CONVERTED[c.convertedType])], [7, c.scale === undefined ? undefined : i32(c.scale)],
      [8, c.precision === undefined ? undefined : i32(c.precision)],
    ]));
  }
  const footerStart = out.length;
  writeStruct(out, [
    [1, i32(1)], [2, list('struct', schema)], [3, i64(numRows)],
    [4, list('struct', [struct([[1, list('struct', chunks)], [2, i64(totalBytes)], [3, i64(numRows)]])])],
    [6, binary('weir')],
  ]);
  out.uint32le(out.length - footerStart);
  out.bytes(MAGIC);
  return out.result();
}
