/**
 * What the text formats share: the result of decoding a file (a batch plus the records that did not
 * decode), the column-wise collector the decoders fill, and the Format interface the filesystem
 * connector picks by the `'format'` option.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import { allNullColumn, columnOf, NumberColumn, Utf8Column } from './column-builders.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure } from './convert.js';

export interface DecodeResult {
  /** the records that decoded, with the schema given to the decoder */
  readonly batch: arrow.RecordBatch;
  readonly rejected: readonly RejectedRecord[];
  /** records seen (decoded + rejected), for progress */
  readonly records: number;
}

/** A format whose files are text: decoded from a string, encoded to one (json, csv). */
export interface TextFormat {
  readonly name: 'json' | 'csv';
  readonly binary?: false;
  /** file name extension of the part files a sink writes */
  readonly extension: string;
  /**
   * `fileName` is the origin prefix of rejected records (`name:line`); `invalidLines` are the
   * 1-based lines whose bytes were not UTF-8 (see decodeUtf8): a record on them is rejected.
   */
  decode(text: string, schema: Schema, fileName: string, invalidLines?: ReadonlySet<number>): DecodeResult;
  /**
   * Rows of `batch` (with `schema`) as file text. `ops`, when given, holds one changelog marker per
   * row ('' for an insert/upsert, 'delete'), written as the extra field `_op` where not empty.
   */
  encode(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): string;
  /**
   * encode's text as UTF-8 bytes, written straight from the columns (text-bytes.ts): what the file
   * sink writes. `continued`: the bytes follow those of earlier rows in the same file (no CSV header
   * again), so a batch's chunks can be written one after the other without concatenating them first.
   */
  encodeBuffer?(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[], continued?: boolean): Uint8Array;
  /**
   * A decoder for one file read in pieces, giving the same records as `decode` of the whole text;
   * `readColumns` (lower-case names) are the columns the query reads, the others come out NULL.
   */
  streamDecoder(schema: Schema, fileName: string, readColumns?: ReadonlySet<string>): StreamDecoder;
}

/**
 * A format whose files are binary and self-describing (parquet, arrow): read whole from bytes, with
 * the columns matched by name. A file that does not decode is one rejected record, never a throw.
 */
export interface BinaryFormat {
  readonly name: 'parquet' | 'arrow';
  readonly binary: true;
  readonly extension: string;
  /** Load what the format needs (a library imported on first use): awaited before encodeBytes. */
  load?(): Promise<void>;
  /**
   * `readColumns`, when given, names (lower case) the columns the query reads: the others may be
   * left null, and a format that can skip them in the file does.
   */
  decodeBytes(bytes: Uint8Array, schema: Schema, fileName: string, readColumns?: ReadonlySet<string>): Promise<DecodeResult>;
  /**
   * The parts of a file that may be read one at a time (Parquet: its row groups; Arrow: its record
   * batches), found from the bytes `file` gives (the footer); set only for a format that has them.
   * A file whose footer does not parse gives undefined (read whole, it is reported); an error of
   * the file system (one with an errno `code`: ENOENT, EIO, …) is thrown, for the source to handle.
   */
  partsOf?(file: RandomAccessFile, fileName: string): Promise<FileParts | undefined>;
  /** Throws WeirError('OPTION') for a column the format cannot write: called when a sink opens. */
  checkWritable?(schema: Schema): void;
  /** Rows of `batch` as a file; `ops` as for TextFormat.encode, written as a VARCHAR column `_op`. */
  encodeBytes(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): Uint8Array;
}

/** A file read at byte ranges (the filesystem source's handle): only the bytes asked for are read. */
export interface RandomAccessFile {
  readonly size: number;
  /** bytes [start, end) of the file */
  read(start: number, end: number): Promise<Uint8Array>;
  /** several ranges [start, end) at once (the file opened once for them all) */
  readRanges(ranges: readonly (readonly [number, number])[]): Promise<Uint8Array[]>;
}

/** Whether an error is the file system's (it has an errno code) rather than a sign of a damaged file. */
export const isFileSystemError = (e: unknown): boolean => typeof (e as NodeJS.ErrnoException | undefined)?.code === 'string';

/** A binary file's parts, in file order (BinaryFormat.partsOf). */
export interface FileParts {
  /** each part's stored bytes (Parquet: a row group's compressed column chunks), the weight a batch plans by */
  readonly bytes: readonly number[];
  /**
   * Parts [from, to) as decodeBytes would give their records (rejected records numbered by their row
   * in the whole file), reading the file's bytes of those parts and of the columns read only. Parts
   * that do not decode are one rejected record naming them; a file system error is thrown.
   */
  decode(from: number, to: number, schema: Schema, readColumns?: ReadonlySet<string>): Promise<DecodeResult>;
}

export type Format = TextFormat | BinaryFormat;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A file's bytes as text, and the lines holding bytes that are not UTF-8. Such bytes would become
 * U+FFFD without a trace; instead the decoders reject the records on those lines (as Flink's json
 * format does). A byte order mark is kept (the decoders skip it). The common case, a valid file,
 * costs one strict decode; only a file with bad bytes is checked line by line (a newline byte is
 * never part of a multi-byte sequence, so lines split the same in bytes and in text).
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; invalidLines: ReadonlySet<number> } {
  try {
    return { text: strictUtf8.decode(bytes), invalidLines: new Set() };
  } catch {
    // fall through: find the lines with the bad bytes
  }
  const invalidLines = new Set<number>();
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      strictUtf8.decode(bytes.subarray(start, end));
    } catch {
      invalidLines.add(line);
    }
    start = end + 1;
  }
  return { text: lenientUtf8.decode(bytes), invalidLines };
}

export const INVALID_UTF8 = 'invalid UTF-8: the record holds bytes that are not UTF-8';

/** Raw text kept with a rejected record is capped: a broken multi-megabyte line must not pile up in memory. */
const MAX_RAW = 4096;

export function rejectedRecord(origin: string, reason: string, raw: string): RejectedRecord {
  return { origin, reason, raw: raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW)}…` : raw };
}

/**
 * Column-wise value lists for one schema; a record is added whole or not at all. `read`, when given,
 * marks the columns the query reads: the others are neither kept nor checked, and come out NULL
 * (a streaming decoder does not convert what no one reads).
 */
export class ColumnsCollector {
  /** each read column's values: a NumberColumn for the numeric types, a Utf8Column for VARCHAR, else a list */
  private readonly values: (unknown[] | undefined)[];
  private readonly builders: (NumberColumn | Utf8Column | undefined)[];
  private readonly read: readonly boolean[];
  /** the columns read (as lists, into builders), and the NOT NULL ones: add() loops over these only (a hot loop per record) */
  private readonly listColumns: readonly number[];
  private readonly builderColumns: readonly number[];
  private readonly notNullColumns: readonly number[];
  private rows = 0;

  /** `capacity`: how many records are likely (a piece's lines), so the builders need not grow */
  constructor(private readonly schema: Schema, read?: readonly boolean[], capacity?: number) {
    this.read = read ?? schema.columns.map(() => true);
    this.builders = schema.columns.map((c, i) => (!this.read[i] ? undefined
      : c.type.kind === 'VARCHAR' ? new Utf8Column(capacity) : NumberColumn.of(c.type, capacity)));
    this.values = schema.columns.map((_, i) => (this.read[i] && !this.builders[i] ? [] : undefined));
    this.listColumns = schema.columns.flatMap((_, i) => (this.values[i] ? [i] : []));
    this.builderColumns = schema.columns.flatMap((_, i) => (this.builders[i] ? [i] : []));
    this.notNullColumns = schema.columns.flatMap((c, i) => (this.read[i] && !c.nullable ? [i] : []));
  }

  /**
   * `record[i]` is column i's converted value (for a VARCHAR column, a string or a ByteSpan of valid
   * UTF-8). Throws ConversionFailure for a NULL in a NOT NULL column.
   */
  add(record: readonly unknown[]): void {
    const notNull = this.notNullColumns;
    for (let j = 0; j < notNull.length; j++) {
      const i = notNull[j]!;
      if (record[i] === null || record[i] === undefined) {
        const col = this.schema.columns[i]!;
        throw new ConversionFailure(col.name, null, col.type, 'the column is NOT NULL');
      }
    }
    const lists = this.listColumns;
    for (let j = 0; j < lists.length; j++) {
      const i = lists[j]!;
      this.values[i]!.push(record[i] ?? null);
    }
    const builders = this.builderColumns;
    for (let j = 0; j < builders.length; j++) {
      const i = builders[j]!;
      this.builders[i]!.push(record[i]);
    }
    this.rows++;
  }

  get length(): number {
    return this.rows;
  }

  finish(): arrow.RecordBatch {
    const cols = this.schema.columns.map((c, i) => this.builders[i]?.finish()
      ?? (this.read[i] ? columnOf(c.type, this.values[i]!) : allNullColumn(c.type, this.rows)));
    return batchFromColumns(this.schema, cols, this.rows);
  }
}

/**
 * Decoding a file piece by piece (filesystem/source.ts reads it in chunks): `split` says where the
 * piece of the bytes read so far ends (0: none yet), `decode` decodes its records, up to `consumed`
 * where the last of them is not whole yet.
 */
export interface StreamDecoder {
  /**
   * end (exclusive) of the piece of bytes[0, length) to decode: after the last complete record (JSON
   * lines), or the last line break, possibly inside a quoted field whose record decode() then leaves
   * unconsumed (CSV)
   */
  split(bytes: Uint8Array, length: number): number;
  /**
   * Whether a part of a file that starts at a record boundary past its start can be decoded alone
   * (after its preamble): the filesystem source then reads a file larger than
   * `source.max-bytes-per-trigger` a part a batch.
   */
  readonly splittable: boolean;
  /**
   * Where a part of a file starting at a record boundary, `bytes` its first bytes, may end (0: not
   * within them): a record boundary at which reading the part as a whole file gives the records
   * the whole file gives there, and the rest of the file starts afresh.
   */
  partCut(bytes: Uint8Array): number;
  /**
   * Where the records a decoder must see before any part of the file end (a CSV header, the blank
   * lines before it), in `head`, the file's first bytes: 0 for none, undefined when they do not end
   * within `head`. A part starting past the file's start is decoded after these bytes were.
   */
  preambleEnd(head: Uint8Array): number | undefined;
  /**
   * Records of `bytes` (a piece split() cut; at the end of the file, what is left), the first on line
   * `firstLine`; `atFileStart` for the file's first piece, `atFileEnd` for its last. `lines` is how many
   * lines the piece holds; `consumed`, when less than the piece, is where decoding stopped (the rest is
   * given again with more bytes after it, lines counting only the part consumed).
   */
  decode(bytes: Buffer, firstLine: number, atFileStart: boolean, atFileEnd: boolean): DecodeResult & { readonly lines: number; readonly consumed?: number };
}
