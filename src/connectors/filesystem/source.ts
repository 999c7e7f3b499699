/**
 * The filesystem source: the files of a directory (or one file), decoded by the table's format: a
 * text file in chunks of `source.read-chunk-size` bytes (only the columns the query reads), a binary
 * one whole, or, larger than a batch, a few of its parts at a time (Parquet: row groups; Arrow: record batches).
 *
 * Offset (file-parts.ts): the files taken so far, in take order, and the part taken of a file larger
 * than a batch. A new offset appends the files not taken yet, in name order, at most
 * `source.max-files-per-trigger` of them, while their bytes are below `source.max-bytes-per-trigger`;
 * a text file larger than that is read a part a batch, cut at a record boundary, and a binary file
 * whole parts a batch (BinaryFormat.partsOf: Parquet row groups, Arrow record batches). read(start, end)
 * decodes exactly what `end` holds and `start` does not, so a re-run batch reads the same records.
 * (A file is taken by name: rewriting a file after it was taken is not seen, as in Spark's file
 * source. Writers should create files under a '.' or '_' name and rename.)
 *
 * Bounded unless `source.monitor-interval` is set: a bounded source takes the files present at its
 * first listing and is exhausted once it has taken them all; a monitored one lists again on every
 * poll and never ends.
 */
import { promises as fsp, statSync } from 'node:fs';
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues } from '../../common/columns.js';
import { WeirError } from '../../common/errors.js';
import type { Column, Schema } from '../../common/schema.js';
import type { ConnectorContext, ConnectorTable, Json, RejectedRecord, SourceReadResult, SplittableSource } from '../api.js';
import { ConversionFailure, convertValue } from '../formats/convert.js';
import type { DecodeResult, FileParts, Format, StreamDecoder } from '../formats/decoded.js';
import { rejectedRecord } from '../formats/decoded.js';
import { unreadableFile } from '../formats/binary-rows.js';
import { formatFromOptions } from '../formats/format.js';
import { parseOffset, partEnd, WindowBuffer, type FilesOffset, type PartialFile } from './file-parts.js';
import { listInputFiles, partitionValues } from './layout.js';
import { maxBytesPerTrigger, maxFilesPerTrigger, monitorInterval, readChunkSize, resolvedPath } from './options.js';
import { ChunkBuffers, TextFileReader, type FileRange } from './read-text.js';
import { FileAtRanges } from './file-at-ranges.js';
import { pieceFromJson, pieceToJson, splitReads, type FileRead } from './read-splits.js';

/**
 * How many files are opened ahead of the one being decoded. With one, the open's completion was
 * handled, and the first read started, only when the thread next waited, which was for that very
 * file: every file's first read was waited for. With two, the file after next is opened, and its
 * read started, while the thread waits for this one (the files bench's CSV aggregation, 202 files:
 * 237 → 155 ms idle in a profile). A binary file's bytes are read ahead likewise: the files of a
 * batch are all held decoded until it ends, so two files' bytes early add little to that.
 */
const OPEN_AHEAD = 2;

/** A file of the batch on its way: a text file opened, its first chunk read; a binary file read. */
type Ahead = { readonly text: Promise<TextFileReader> } | { readonly bytes: Promise<Buffer> } | undefined;

export class FilesystemSource implements SplittableSource {
  readonly schema: Schema;
  readonly description: string;
  readonly bounded: boolean;
  /** the files stay where they are: a committed range reads the same again */
  readonly replayable = true;
  readonly pollIntervalMs?: number;
  private readonly dir: string;
  /** set when `path` names one file rather than a directory */
  private readonly singleFile: string | undefined;
  private readonly format: Format;
  private readonly failOnParseError: boolean;
  private readonly maxFiles: number;
  private readonly maxBytes: number;
  /** whether a file of this source can be read in parts: a text format whose decoder cuts records alone */
  private readonly splittable: boolean;
  /** the sizes of files weighed and not taken yet (a file is taken by name and not rewritten: its size stays) */
  private readonly sizes = new Map<string, number>();
  /** the text reads' buffers, kept from one file to the next */
  private readonly buffers: ChunkBuffers;
  /** where a part's end is looked for (a file larger than max-bytes-per-trigger) */
  private readonly window = new WindowBuffer();
  /** lower-case names of the columns the query reads (undefined: all); binary formats skip the rest */
  private readonly readColumns: ReadonlySet<string> | undefined;
  /**
   * the parts of the binary file last cut into parts (its footer read once for the plan and the
   * read), with the size and time the file had then: a file rewritten since is read anew
   */
  private parted: { readonly file: string; readonly size: number; readonly mtimeMs: number; readonly parts: FileParts | undefined } | undefined;
  /** a bounded source's one listing */
  private initial: readonly string[] | undefined;
  /** the listing taken when an available-now trigger started */
  private availableNow: readonly string[] | undefined;

  constructor(table: ConnectorTable, ctx: ConnectorContext) {
    const target = resolvedPath(table, ctx.baseDir);
    let isDir: boolean;
    try {
      isDir = statSync(target).isDirectory();
    } catch {
      throw new WeirError('OPTION', `table '${table.name}': path '${target}' does not exist`, table.optionSpans.get('path'));
    }
    this.dir = isDir ? target : path.dirname(target);
    this.singleFile = isDir ? undefined : path.basename(target);
    const choice = formatFromOptions(table.options, table.optionSpans, 'filesystem', table.optionSpans.get('connector'), table.schema.columns);
    this.format = choice.format;
    this.failOnParseError = choice.failOnParseError;
    this.maxFiles = maxFilesPerTrigger(table);
    this.maxBytes = maxBytesPerTrigger(table);
    this.buffers = new ChunkBuffers(Math.max(readChunkSize(table), 4), 1 + OPEN_AHEAD);
    const interval = monitorInterval(table);
    this.bounded = interval === undefined;
    if (interval !== undefined) this.pollIntervalMs = interval;
    this.schema = table.schema;
    this.readColumns = ctx.requiredColumns && new Set(ctx.requiredColumns.map((i) => table.schema.columns[i]!.name.toLowerCase()));
    this.splittable = !this.format.binary && this.decoderFor('').splittable;
    this.description = `filesystem[${target}]`;
  }

  private async list(): Promise<readonly string[]> {
    if (this.singleFile !== undefined) {
      try {
        await fsp.access(path.join(this.dir, this.singleFile));
        return [this.singleFile];
      } catch {
        return [];
      }
    }
    return listInputFiles(this.dir);
  }

  /** Available-now: the files present now are all this source will offer. */
  async prepareForAvailableNow(): Promise<void> {
    this.availableNow ??= await this.list();
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    const { files: taken, partial } = parseOffset(start);
    const listing = this.availableNow ?? (this.bounded ? (this.initial ??= await this.list()) : await this.list());
    const takenSet = new Set(taken);
    // a file read in part goes on first, whatever the listing says now (removed, its read reports it)
    const fresh = listing.filter((f) => !takenSet.has(f) && f !== partial?.file);
    if (partial) fresh.unshift(partial.file);
    if (fresh.length === 0) return start;
    const next = await this.withinBudget(fresh, partial);
    const offset: FilesOffset = { files: [...taken, ...next.files], ...(next.partial ? { partial: next.partial } : {}) };
    return offset as unknown as Json;
  }

  /**
   * What a batch takes of `fresh` (the first of them `partial`'s file, when one is partly read): at
   * most max-files-per-trigger files, while their bytes are below max-bytes-per-trigger. A text file
   * whose rest is larger than that is taken a part a batch, alone in its batch; a binary file whole
   * parts a batch (row groups, record batches), as many as the budget holds (at least one).
   */
  private async withinBudget(fresh: readonly string[], partial: PartialFile | undefined): Promise<{ files: readonly string[]; partial?: PartialFile }> {
    let bytes = 0;
    const files: string[] = [];
    for (let k = 0; k < fresh.length && k < this.maxFiles && (k === 0 || bytes < this.maxBytes); k++) {
      const file = fresh[k]!;
      const size = await this.sizeOf(file);
      if (this.format.binary) {
        const firstPart = k === 0 && partial ? binaryPart(partial) : 0;
        if (firstPart > 0 || (size > this.maxBytes && this.format.partsOf)) {
          if (k > 0) break;
          // (a partly read file removed since: finished here, its read reports it)
          const parts = await this.partsOf(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
          if (parts) {
            // whole parts while the budget holds them, at least one
            let end = firstPart, taken = 0;
            do taken += parts.bytes[end++] ?? 0; while (end < parts.bytes.length && taken + parts.bytes[end]! <= this.maxBytes);
            if (end < parts.bytes.length) return { files, partial: { file, part: end } };
            files.push(file);
            bytes += taken;
            continue;
          }
        }
        files.push(file);
        bytes += size;
        continue;
      }
      const from = k === 0 && partial ? textPosition(partial) : { bytes: 0, line: 1 };
      const rest = size - from.bytes;
      if (rest > this.maxBytes && this.splittable) {
        // a large file starts a batch of its own
        if (k > 0) break;
        const end = await partEnd(path.join(this.dir, file), size, from, this.maxBytes, this.decoderFor(file), this.window);
        if (end) return { files, partial: { file, ...end } };
      }
      files.push(file);
      bytes += rest;
    }
    // a file taken is not weighed again (a monitored directory's names would pile up here)
    for (const f of files) this.sizes.delete(f);
    return { files };
  }

  /**
   * The parts of binary `file` (its footer read once for the batch that plans them and the one that
   * reads them); undefined when its footer does not parse. A removed file throws ENOENT.
   */
  private async partsOf(file: string): Promise<FileParts | undefined> {
    const format = this.format;
    if (!format.binary || !format.partsOf) return undefined;
    const full = path.join(this.dir, file);
    let st: { size: number; mtimeMs: number };
    try {
      st = await fsp.stat(full);
    } catch (e) {
      this.parted = undefined;
      throw e;
    }
    const known = this.parted;
    if (known?.file === file && known.size === st.size && known.mtimeMs === st.mtimeMs) return known.parts;
    const parts = await format.partsOf(new FileAtRanges(full, st.size), file);
    this.parted = { file, size: st.size, mtimeMs: st.mtimeMs, parts };
    return parts;
  }

  private decoderFor(file: string): StreamDecoder {
    if (this.format.binary) throw new Error('a binary format has no stream decoder');
    return this.format.streamDecoder(this.schema, file, this.readColumns);
  }

  private async sizeOf(file: string): Promise<number> {
    let size = this.sizes.get(file);
    if (size === undefined) {
      // a file removed since the listing weighs nothing here: its read reports it
      size = await fsp.stat(path.join(this.dir, file)).then((st) => st.size, () => 0);
      this.sizes.set(file, size);
    }
    return size;
  }

  async read(start: Json | undefined, end: Json): Promise<SourceReadResult> {
    return this.readAll(this.readsBetween(parseOffset(start), parseOffset(end)));
  }

  /** (start, end]'s reads in `pieces` pieces of about equal bytes, for a parallel query's tasks (read-splits.ts). */
  async splitBetween(start: Json | undefined, end: Json, pieces: number): Promise<readonly Json[]> {
    const dir = this.dir;
    const cuttable = (file: string): boolean => partitionValues(file).size === 0;
    const split = await splitReads(this.readsBetween(parseOffset(start), parseOffset(end)), pieces, {
      binary: this.format.binary === true,
      size: (file) => fsp.stat(path.join(dir, file)).then((st) => st.size, () => 0),
      // not cut: a file in a `k=v` directory (a value that does not convert rejects the file, once),
      // a text format whose decoder cannot find record ends alone, a file removed meanwhile (its read reports it)
      partBytes: async (file) => (cuttable(file) ? (await this.partsOf(file))?.bytes : undefined),
      boundary: async (file, from, size, budget) => (this.splittable && cuttable(file)
        ? partEnd(path.join(dir, file), size, from, budget, this.decoderFor(file), this.window)
          .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)))
        : undefined),
    });
    return split.map(pieceToJson);
  }

  async readPiece(piece: Json): Promise<SourceReadResult> {
    return this.readAll(pieceFromJson(piece));
  }

  private async readAll(reads: readonly FileRead[]): Promise<SourceReadResult> {
    const batches: arrow.RecordBatch[] = [];
    const rejected: RejectedRecord[] = [];
    // files are opened, and their first chunks read (binary ones: read), while the files before them are decoded
    const ahead = reads.slice(0, OPEN_AHEAD).map((f) => this.openAhead(f));
    try {
      for (let i = 0; i < reads.length; i++) {
        const opened = ahead.shift();
        ahead.push(this.openAhead(reads[i + OPEN_AHEAD]));
        const r = await this.readFile(reads[i]!, opened);
        for (const b of r.batches) if (b.numRows > 0) batches.push(b);
        // not push(...r.rejected): a file of a million malformed lines would overflow the stack
        for (const rec of r.rejected) rejected.push(rec);
      }
    } finally {
      // a batch that failed leaves the next files open
      for (const a of ahead) if (a && 'text' in a) await a.text.then((reader) => reader.close(), () => undefined);
    }
    if (this.failOnParseError && rejected.length > 0) {
      const first = rejected[0]!;
      throw new WeirError('INPUT', `${first.origin}: ${first.reason}`);
    }
    return { batches, rejected };
  }

  /**
   * What `end` holds that `start` does not, in take order: the rest of `start`'s partial file (whole,
   * or up to `end`'s part of it), the files taken whole, and the first part of `end`'s partial file.
   */
  private readsBetween(start: FilesOffset, end: FilesOffset): FileRead[] {
    const before = new Set(start.files);
    const from = start.partial;
    const to = end.partial;
    const reads: FileRead[] = [];
    const binary = this.format.binary === true;
    /** the read of `file` from `a` (undefined: its start) to `b` (undefined: its end) */
    const partRead = (file: string, a: PartialFile | undefined, b: PartialFile | undefined): FileRead => {
      if (binary) return { file, parts: { from: a ? binaryPart(a) : 0, to: b ? binaryPart(b) : Number.POSITIVE_INFINITY } };
      const start = a ? textPosition(a) : { bytes: 0, line: 1 };
      return { file, range: { start: start.bytes, end: b ? textPosition(b).bytes : Number.POSITIVE_INFINITY, line: start.line } };
    };
    if (from && to?.file === from.file) return [partRead(from.file, from, to)];
    for (const file of end.files) {
      if (before.has(file)) continue;
      reads.push(file !== from?.file ? { file } : partRead(file, from, undefined));
    }
    if (to) reads.push(partRead(to.file, undefined, to));
    return reads;
  }

  /** A text file opened, its first chunk on its way, or a binary file's bytes on their way (undefined: no file). */
  private openAhead(read: FileRead | undefined): Ahead {
    // (a binary file read in parts reads only its parts' bytes, when its turn comes)
    if (read === undefined || read.parts) return undefined;
    const full = path.join(this.dir, read.file);
    // an error (the file was removed) is met when the file's turn comes: not unhandled meanwhile
    if (this.format.binary) {
      const bytes = fsp.readFile(full);
      bytes.catch(() => undefined);
      return { bytes };
    }
    const text = TextFileReader.open(full, this.buffers, read.range);
    text.catch(() => undefined);
    return { text };
  }

  /** `read.file` (its range or parts, when given) decoded; `opened`: the file opened ahead (openAhead). */
  private async readFile(read: FileRead, opened: Ahead): Promise<{ batches: arrow.RecordBatch[]; rejected: readonly RejectedRecord[] }> {
    const { file, range, parts: partRange } = read;
    const format = this.format;
    const full = path.join(this.dir, file);
    const decode = async (schema: Schema): Promise<DecodeResult[] | undefined> => {
      try {
        // a text file in chunks: memory bounded by the chunk, not the file
        if (!format.binary) {
          const reader = await (opened && 'text' in opened ? opened.text : TextFileReader.open(full, this.buffers, range));
          return await reader.decode(format.streamDecoder(schema, file, this.readColumns));
        }
        if (partRange) {
          // never the whole file here: the parts before or after these are other batches' to read
          const fileParts = await this.partsOf(file);
          if (fileParts) return [await fileParts.decode(partRange.from, Math.min(partRange.to, fileParts.bytes.length), schema, this.readColumns)];
          return [unreadableFile(schema, file, format.name, new Error(`its footer no longer reads, so its parts from ${partRange.from} on are not read`))];
        }
        const bytes = await (opened && 'bytes' in opened ? opened.bytes : fsp.readFile(full));
        return [await format.decodeBytes(bytes, schema, file, this.readColumns)];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        if (this.parted?.file === file) this.parted = undefined;
        return undefined;
      }
    };
    const removed = { batches: [], rejected: [rejectedRecord(file, 'the file was removed before it was read', '')] };
    // columns filled from `k=v` directories are not read from the file
    const parts = partitionValues(file);
    const fromPath = new Map<number, string | null>();
    if (parts.size > 0) {
      this.schema.columns.forEach((c, i) => {
        for (const [k, v] of parts) if (k.toLowerCase() === c.name.toLowerCase()) fromPath.set(i, v);
      });
    }
    if (fromPath.size === 0) {
      const pieces = await decode(this.schema);
      if (pieces === undefined) return removed;
      return { batches: pieces.map((p) => p.batch), rejected: pieces.flatMap((p) => p.rejected) };
    }
    const fileColumns: Column[] = this.schema.columns.filter((_, i) => !fromPath.has(i));
    const pieces = await decode({ columns: fileColumns });
    if (pieces === undefined) return removed;
    const batches: arrow.RecordBatch[] = [];
    for (const decoded of pieces) {
      const n = decoded.batch.numRows;
      const data: arrow.Data[] = [];
      let k = 0;
      for (let i = 0; i < this.schema.columns.length; i++) {
        const col = this.schema.columns[i]!;
        if (!fromPath.has(i)) {
          data.push(decoded.batch.data.children[k++]!);
          continue;
        }
        let value: unknown;
        try {
          value = convertValue(col.type, fromPath.get(i), col.name, 'text');
        } catch (e) {
          if (!(e instanceof ConversionFailure)) throw e;
          const records = pieces.reduce((a, p) => a + p.batch.numRows, 0);
          return { batches: [], rejected: [rejectedRecord(file, `partition directory: ${e.reason}; the file's ${records} records were not read`, '')] };
        }
        data.push(columnFromValues(col.type, new Array(n).fill(value)));
      }
      batches.push(batchFromColumns(this.schema, data, n));
    }
    return { batches, rejected: pieces.flatMap((p) => p.rejected) };
  }

  isExhausted(offset: Json | undefined): boolean {
    if (!this.bounded || this.initial === undefined) return false;
    // a partly read file is not in `files` until its last part is taken
    const taken = new Set(parseOffset(offset).files);
    return this.initial.every((f) => taken.has(f));
  }

  async close(): Promise<void> {}
}

/** A partial text file's position; a part number here means the offset was written for a binary format. */
function textPosition(p: PartialFile): { readonly bytes: number; readonly line: number } {
  if ('part' in p) throw new WeirError('STATE', `the offset names part ${p.part} of '${p.file}', a position in a binary file, but the table's format is text`);
  return p;
}

/** A partial binary file's next part; a byte position here means the offset was written for a text format. */
function binaryPart(p: PartialFile): number {
  if (!('part' in p)) throw new WeirError('STATE', `the offset names byte ${p.bytes} of '${p.file}', a position in a text file, but the table's format is binary`);
  return p.part;
}
