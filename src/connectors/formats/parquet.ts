/**
 * The `parquet` format (filesystem connector): hyparquet reads; Weir's own writer (parquet-file.ts)
 * writes flat schemas, hyparquet-writer the nested ones.
 *
 * Written types: BOOLEAN; TINYINT/SMALLINT/INT as INT32 (INT_8/INT_16); BIGINT as INT64 (exact);
 * FLOAT, DOUBLE; INTERVAL as DOUBLE (its milliseconds); DECIMAL(p,s) as DECIMAL(p,s), exact: INT64
 * up to 18 digits, else FIXED_LEN_BYTE_ARRAY; VARCHAR as UTF-8 BYTE_ARRAY; DATE as INT32
 * DATE; TIMESTAMP(3) as INT64 TIMESTAMP_MILLIS; ROW as a group; ARRAY as a LIST, MAP as a MAP,
 * MULTISET as a MAP to INT32 counts (parquet-nested.ts). A NULL-typed column is refused.
 *
 * Reading takes only the columns the query uses (hyparquet skips the others' column chunks), by
 * name, and converts each value as the JSON format does, with two exceptions that keep values exact:
 * DECIMAL values are read as their unscaled integers (hyparquet would make them doubles) and passed
 * on as exact decimal text, and timestamps of any unit become epoch milliseconds (floored).
 */
import type * as arrow from 'apache-arrow';
import type { AsyncBuffer, FileMetaData, SchemaElement } from 'hyparquet';
import { readerFor } from '../../common/columns.js';
import { InternalError, WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { matchColumns, rowsToBatch, unreadableFile } from './binary-rows.js';
import { INVALID_UTF8, isFileSystemError, type BinaryFormat, type DecodeResult, type FileParts, type RandomAccessFile } from './decoded.js';
import { parquetColumnData } from './parquet-columns.js';
import { collectionElements, collectionToParquet, columnShapes, exactDecimals } from './parquet-nested.js';
import { writeFlatParquet, type ConvertedType, type FlatColumn } from './parquet-file.js';
import { leafPage, physicalTypeOf, stringLeafPage } from './parquet-leaf.js';
import { JsonNumberText } from './json-values.js';
import type { Decompressors } from './parquet-codecs.js';

/**
 * hyparquet and hyparquet-writer, imported when a Parquet table is first read or a Parquet sink opens
 * (about 80 modules: nothing else should pay for them).
 */
let libraries: {
  readonly read: typeof import('hyparquet');
  readonly write: typeof import('hyparquet-writer');
  /** the column-by-column reader, which uses hyparquet's footer and Snappy */
  readonly columnar: typeof import('./parquet-columnar.js');
} | undefined;

async function loadParquet(): Promise<NonNullable<typeof libraries>> {
  libraries ??= { read: await import('hyparquet'), write: await import('hyparquet-writer'), columnar: await import('./parquet-columnar.js') };
  return libraries;
}

/** Parquet's codecs beyond Snappy (parquet-codecs.ts), imported when a file first names one. */
let codecs: Promise<typeof import('./parquet-codecs.js')> | undefined;

/** The decompressors a file's chunks need beyond UNCOMPRESSED and SNAPPY, or undefined when none. */
async function decompressorsFor(meta: FileMetaData): Promise<Decompressors | undefined> {
  const other = meta.row_groups.some((g) => g.columns.some((c) => c.meta_data !== undefined
    && c.meta_data.codec !== 'UNCOMPRESSED' && c.meta_data.codec !== 'SNAPPY'));
  return other ? (await (codecs ??= import('./parquet-codecs.js'))).DECOMPRESSORS : undefined;
}

function loadedParquet(): NonNullable<typeof libraries> {
  if (libraries === undefined) throw new InternalError('the Parquet format was used before its load()');
  return libraries;
}

type Element = SchemaElement;

/** The Parquet schema elements of one column (a group is followed by its children, depth first). */
function elementsOf(name: string, t: SqlType, nullable: boolean): Element[] {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  const leaf = (e: Omit<Element, 'name' | 'repetition_type'>): Element[] => [{ name, repetition_type, ...e } as Element];
  switch (t.kind) {
    case 'BOOLEAN': return leaf({ type: 'BOOLEAN' });
    case 'TINYINT': return leaf({ type: 'INT32', converted_type: 'INT_8' });
    case 'SMALLINT': return leaf({ type: 'INT32', converted_type: 'INT_16' });
    case 'INT': return leaf({ type: 'INT32' });
    case 'BIGINT': return leaf({ type: 'INT64' });
    case 'FLOAT': return leaf({ type: 'FLOAT' });
    case 'DOUBLE': case 'INTERVAL': return leaf({ type: 'DOUBLE' });
    case 'DECIMAL':
      // Parquet allows INT64 up to 18 digits; DECIMAL(19..38) (a Decimal128 column in Weir) is a
      // fixed-length big-endian two's complement of the bytes the precision needs
      return t.precision <= 18
        ? leaf({ type: 'INT64', converted_type: 'DECIMAL', precision: t.precision, scale: t.scale })
        : leaf({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalBytes(t.precision), converted_type: 'DECIMAL', precision: t.precision, scale: t.scale });
    case 'VARCHAR': return leaf({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    case 'DATE': return leaf({ type: 'INT32', converted_type: 'DATE' });
    case 'TIMESTAMP': return leaf({ type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' });
    case 'ROW':
      if (t.fields.length === 0) throw new WeirError('OPTION', `format 'parquet' cannot write column '${name}': a ROW without fields has no Parquet group`);
      return [
        { name, repetition_type, num_children: t.fields.length } as Element,
        ...t.fields.flatMap((f) => elementsOf(f.name, f.type, true)),
      ];
    case 'ARRAY': case 'MAP': case 'MULTISET':
      return collectionElements(name, t, nullable, elementsOf);
    case 'NULL':
      throw new WeirError('OPTION', `format 'parquet' cannot write column '${name}' of type NULL: Parquet has no such column type; cast it`);
  }
}

/** The fewest bytes whose two's complement holds every DECIMAL of `precision` digits. */
function decimalBytes(precision: number): number {
  const max = 10n ** BigInt(precision);
  let n = 1;
  while (1n << BigInt(8 * n - 1) < max) n++;
  return n;
}

/** A column value (valueAt's form) as hyparquet-writer takes it: int64 kinds as bigint, ROW recursively. */
function toParquetValue(t: SqlType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'BIGINT': case 'DECIMAL': case 'TIMESTAMP': return BigInt(v as number | bigint);
    case 'ARRAY': case 'MAP': case 'MULTISET': return collectionToParquet(t, v, toParquetValue);
    case 'ROW': {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = toParquetValue(f.type, o[f.name]);
      return out;
    }
    default: return v;
  }
}

const CONVERTED: Partial<Record<SqlType['kind'], ConvertedType>> = {
  TINYINT: 'INT_8', SMALLINT: 'INT_16', VARCHAR: 'UTF8', DATE: 'DATE', TIMESTAMP: 'TIMESTAMP_MILLIS', DECIMAL: 'DECIMAL',
};

/** The schema as flat leaves for Weir's own writer (parquet-file.ts), or undefined when a column is not flat. */
function flatColumns(schema: Schema): FlatColumn[] | undefined {
  const out: FlatColumn[] = [];
  for (const c of schema.columns) {
    const type = physicalTypeOf(c.type);
    if (type === undefined) return undefined;
    const t = c.type;
    out.push({
      name: c.name, type, optional: c.nullable, convertedType: CONVERTED[t.kind],
      ...(t.kind === 'DECIMAL' ? { precision: t.precision, scale: t.scale } : {}),
    });
  }
  return out;
}

/**
 * Rows of `batch` as a Parquet file: a flat schema through Weir's own writer (parquet-file.ts), the
 * others (ROW, ARRAY, MAP, MULTISET, DECIMAL beyond 18 digits) through hyparquet-writer, as does
 * every schema when `ownWriter` is false (the tests compare the two).
 */
export function encodeParquet(
  batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[], fromArrays: typeof parquetColumnData = parquetColumnData,
  ownWriter = true,
): Uint8Array {
  const flat = ownWriter ? flatColumns(schema) : undefined;
  if (flat === undefined) return encodeWithHyparquet(batch, schema, ops, fromArrays);
  const n = batch.numRows;
  const pages = schema.columns.map((c, i) => leafPage(c.type, batch.data.children[i]!, n));
  if (ops) {
    flat.push({ name: '_op', type: 'BYTE_ARRAY', optional: true, convertedType: 'UTF8' });
    pages.push(stringLeafPage(ops));
  }
  return writeFlatParquet(flat, pages, n);
}

/**
 * Rows of `batch` as a Parquet file by hyparquet-writer. `fromArrays` gives a column's data from its arrays where it can
 * (parquet-columns.ts); the tests pass one that never does, to compare with the value-by-value path.
 */
function encodeWithHyparquet(
  batch: arrow.RecordBatch, schema: Schema, ops: readonly string[] | undefined, fromArrays: typeof parquetColumnData,
): Uint8Array {
  const elements: Element[] = [];
  const columnData = schema.columns.map((c, i) => {
    elements.push(...elementsOf(c.name, c.type, c.nullable));
    const column = batch.data.children[i]!;
    const direct = fromArrays(c.type, column, batch.numRows);
    if (direct) return { name: c.name, data: direct as unknown[] };
    const read = readerFor(column);
    const data = new Array<unknown>(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) data[r] = toParquetValue(c.type, read(r));
    return { name: c.name, data };
  });
  if (ops) {
    elements.push({ name: '_op', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } as Element);
    columnData.push({ name: '_op', data: ops.map((o) => o || null) });
  }
  const root = { name: 'root', num_children: columnData.length } as Element;
  // any: hyparquet-writer types its schema with its own copy of hyparquet, a different version
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const buffer = loadedParquet().write.parquetWriteBuffer({ columnData: columnData as any, schema: [root, ...elements] as any, createdBy: 'weir' });
  return new Uint8Array(buffer);
}

/**
 * The file's metadata with the DECIMAL annotations taken off (so hyparquet hands over the stored
 * unscaled integers instead of doubles; exactDecimals puts the scale back, exactly).
 */
function withRawDecimals(meta: FileMetaData): FileMetaData {
  const schema = meta.schema.map((e) => (e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL'
    ? { ...e, converted_type: undefined, logical_type: undefined } : e));
  return { ...meta, schema };
}

/**
 * A string value whose bytes are not UTF-8: hyparquet would decode it to U+FFFD without a trace, so
 * the record holding it is rejected instead, as the text formats reject such lines.
 */
class NotUtf8 {
  toJSON(): string {
    return '(not UTF-8)';
  }
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function stringFromBytes(bytes: Uint8Array | undefined): string | NotUtf8 | undefined {
  if (bytes === undefined) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return new NotUtf8();
  }
}
const holdsNotUtf8 = (v: unknown): boolean =>
  v instanceof NotUtf8 || (typeof v === 'object' && v !== null && !(v instanceof JsonNumberText) && Object.values(v).some(holdsNotUtf8));

const floorDiv = (a: bigint, b: bigint): number => Number(a / b - (a % b < 0n ? 1n : 0n));

/** Timestamps as epoch ms (numbers), whatever their unit; DATE as days. */
const parsers = {
  timestampFromMilliseconds: (ms: bigint): number => Number(ms),
  timestampFromMicroseconds: (us: bigint): number => floorDiv(us, 1000n),
  timestampFromNanoseconds: (ns: bigint): number => floorDiv(ns, 1_000_000n),
  dateFromDays: (days: number): number => days,
  stringFromBytes,
};

/**
 * A file's rows as a batch of `schema`: column by column where every column read is a flat leaf
 * that holds its SQL type as is (parquet-columnar.ts), else row by row through hyparquet.
 * `rowByRow` forces the second way (the tests compare the two).
 */
async function decodeParquet(
  bytes: Uint8Array, schema: Schema, fileName: string, readColumns?: ReadonlySet<string>, rowByRow = false,
): Promise<DecodeResult> {
  let meta: FileMetaData;
  let file: ArrayBuffer;
  try {
    file = arrayBufferOf(bytes);
    meta = (await loadParquet()).read.parquetMetadata(file);
  } catch (e) {
    return unreadableFile(schema, fileName, 'Parquet', e);
  }
  return decodeRowGroups({ meta, chunks: bytes, base: 0, file, firstRow: 0 }, schema, fileName, readColumns, rowByRow);
}

/** What a read of some row groups of a file works from. */
interface RowGroupsRead {
  /** the file's footer, or a copy naming only the row groups read */
  readonly meta: FileMetaData;
  /** the file's bytes from `base` on, holding the column chunks read */
  readonly chunks: Uint8Array;
  readonly base: number;
  /** the file as hyparquet reads it (the row-by-row read) */
  readonly file: ArrayBuffer | AsyncBuffer;
  /** the file's rows before the first row group read */
  readonly firstRow: number;
  /** the row groups read, when not all (named in the rejected record of a part that does not decode) */
  readonly part?: string;
}

async function decodeRowGroups(
  read: RowGroupsRead, schema: Schema, fileName: string, readColumns: ReadonlySet<string> | undefined, rowByRow: boolean,
): Promise<DecodeResult> {
  const { meta: original, file } = read;
  let rows: unknown[][];
  let from: number[];
  try {
    const { read: { parquetReadObjects }, columnar } = await loadParquet();
    const shapes = columnShapes(original.schema);
    const top = shapes.map((c) => c.name);
    const match = matchColumns(schema, top, readColumns);
    const compressors = await decompressorsFor(original);
    if (!rowByRow) {
      const direct = columnar.readColumnar(read.chunks, original, shapes, schema, match.map((m) => (m < 0 ? undefined : top[m])), readColumns, read.base, compressors);
      if (direct) return direct;
    }
    const meta = withRawDecimals(original);
    const wanted = [...new Set(match.filter((m) => m >= 0))].map((m) => top[m]!);
    from = match.map((m) => (m < 0 ? -1 : wanted.indexOf(top[m]!)));
    const objects = wanted.length === 0
      ? new Array<Record<string, unknown>>(Number(meta.num_rows)).fill({})
      : await parquetReadObjects({ file, metadata: meta, columns: wanted, parsers: parsers as never, utf8: true, ...(compressors ? { compressors } : {}) });
    const wantedShapes = wanted.map((n) => shapes[top.indexOf(n)]!.shape);
    rows = objects.map((o) => wanted.map((n, k) => exactDecimals(o[n], wantedShapes[k]!)));
  } catch (e) {
    // (a file removed while its parts are read is the source's to report)
    if (isFileSystemError(e)) throw e;
    return unreadableFile(schema, fileName, 'Parquet', read.part ? new Error(`${read.part}: ${(e as Error).message}`) : e);
  }
  return rowsToBatch(rows, schema, from, fileName, readColumns,
    (r) => (rows[r]!.some(holdsNotUtf8) ? INVALID_UTF8 : undefined), read.firstRow);
}

/**
 * A file's row groups as parts a batch may take a few of at a time (the filesystem source, for a
 * file larger than `source.max-bytes-per-trigger`): the footer is read once, and each read reads
 * only the column chunks of its row groups and of the columns the query reads. Undefined for a file
 * whose footer does not read (read whole, it is reported as a rejected record).
 */
async function parquetParts(file: RandomAccessFile, fileName: string): Promise<FileParts | undefined> {
  const { read: { parquetMetadataAsync }, columnar: { chunkStart } } = await loadParquet();
  const asyncFile: AsyncBuffer = { byteLength: file.size, slice: async (s, e) => arrayBufferOf(await file.read(s, e ?? file.size)) };
  let meta: FileMetaData;
  try {
    // (64 KiB: a footer larger than that is read in a second read)
    meta = await parquetMetadataAsync(asyncFile, { initialFetchSize: 1 << 16 });
  } catch (e) {
    if (isFileSystemError(e)) throw e;
    return undefined;
  }
  const groups = meta.row_groups;
  const top = columnShapes(meta.schema).map((c) => c.name);
  const bytes = groups.map((g) => g.columns.reduce((sum, c) => sum + Number(c.meta_data?.total_compressed_size ?? 0), 0));
  const decode = async (from: number, to: number, schema: Schema, readColumns?: ReadonlySet<string>): Promise<DecodeResult> => {
    const partGroups = groups.slice(from, to);
    const firstRow = groups.slice(0, from).reduce((sum, g) => sum + Number(g.num_rows), 0);
    const rows = partGroups.reduce((sum, g) => sum + Number(g.num_rows), 0);
    const partMeta: FileMetaData = { ...meta, row_groups: partGroups, num_rows: BigInt(rows) };
    // the span of the chunks of the columns read (the others' bytes stay on disk)
    const wanted = new Set(matchColumns(schema, top, readColumns).filter((m) => m >= 0).map((m) => top[m]!));
    let start = file.size, end = 0;
    for (const g of partGroups) {
      for (const c of g.columns) {
        const m = c.meta_data;
        if (!m || !wanted.has(m.path_in_schema[0]!)) continue;
        const s = chunkStart(m);
        start = Math.min(start, s);
        end = Math.max(end, s + Number(m.total_compressed_size));
      }
    }
    end = Math.min(end, file.size);
    const part = `row groups ${from} to ${to - 1} of ${groups.length}`;
    let chunks: Uint8Array;
    try {
      chunks = start < end ? await file.read(start, end) : new Uint8Array(0);
    } catch (e) {
      if (isFileSystemError(e)) throw e;
      return unreadableFile(schema, fileName, 'Parquet', new Error(`${part}: ${(e as Error).message}`));
    }
    const base = start < end ? start : 0;
    // the row-by-row read finds its chunks in the bytes read, and anything else it asks for in the file
    const partFile: AsyncBuffer = {
      byteLength: file.size,
      slice: (s, e = file.size) => (s >= base && e <= base + chunks.length
        ? arrayBufferOf(chunks.subarray(s - base, e - base))
        : file.read(s, e).then(arrayBufferOf)),
    };
    return decodeRowGroups({ meta: partMeta, chunks, base, file: partFile, firstRow, part }, schema, fileName, readColumns, false);
  };
  return { bytes, decode };
}

/** The bytes as an ArrayBuffer of their own (hyparquet reads ArrayBuffers). */
function arrayBufferOf(b: Uint8Array): ArrayBuffer {
  return (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) as ArrayBuffer;
}

/** The row-by-row read alone, for the tests that compare it with the column-by-column one. */
export const decodeParquetRowByRow = (bytes: Uint8Array, schema: Schema, fileName: string, readColumns?: ReadonlySet<string>): Promise<DecodeResult> =>
  decodeParquet(bytes, schema, fileName, readColumns, true);

export const parquetFormat: BinaryFormat = {
  name: 'parquet',
  binary: true,
  extension: 'parquet',
  load: async () => { await loadParquet(); },
  checkWritable: (schema) => {
    for (const c of schema.columns) elementsOf(c.name, c.type, c.nullable);
  },
  decodeBytes: (bytes, schema, fileName, readColumns) => decodeParquet(bytes, schema, fileName, readColumns),
  partsOf: parquetParts,
  encodeBytes: (batch, schema, ops) => encodeParquet(batch, schema, ops),
};
