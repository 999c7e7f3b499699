/**
 * The exactly-once filesystem sink (CONTRACT.md, "Connectors").
 *
 * Batch N is written as part files `part-<N, 8 digits>-<i>.<json|csv|parquet|arrow>` (under `k=v/` directories
 * when the table is PARTITIONED BY; partition columns are then not repeated inside the files), each
 * written to a '.'-prefixed temp name, fsynced and renamed. Then the manifest `_manifest/<N, 8
 * digits>` is written the same way: plain text, one relative part-file path a line (an empty file
 * for a batch without rows). The manifest is the commit: a reader takes exactly the files manifests
 * list, a batch whose manifest exists is skipped when delivered again (a re-run after a crash), and
 * open() deletes part files no manifest lists (the leftovers of a crash before the commit).
 *
 * Skipping is right only for the checkpoint that wrote those manifests: open() checks the writer
 * (sink-owner.ts) and refuses output written by another checkpoint, a checkpoint older than the
 * output, and a committed batch whose manifest is gone, before it writes or deletes anything.
 *
 * PARTITIONED BY tables write Hive-style `k=v` directories (layout.ts escapes the values, NULL is
 * `__DEFAULT_PARTITION__`); the manifest lists each part file by its path relative to `path`. With
 * 'sink.partition-commit.policy.kind' = 'success-file' a partition gets an empty `_SUCCESS` file once
 * it is complete (partition-commit.ts), in append mode.
 *
 * Output modes:
 * - append: every batch adds its rows.
 * - complete: each batch is the whole result; after manifest N is written, older manifests are
 *   deleted (each before its files, so a crash in between leaves only unlisted files, which open()
 *   removes). The directory always holds exactly one complete result.
 * - update: rows are written as they come, each an upsert of its key; UPDATE_BEFORE rows are not
 *   written (the UPDATE_AFTER that follows carries the new value) and DELETE rows are written with
 *   the marker `_op: "delete"` (JSON: an extra field; CSV: one extra trailing field; Parquet and
 *   Arrow: an extra VARCHAR column `_op`, NULL for upserts), so a reader can
 *   replay the changelog.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { batchFromColumns, concatBatches, readerFor, takeBatch, valueAt } from '../../common/columns.js';
import { WeirError } from '../../common/errors.js';
import { toArrowSchema, type Schema } from '../../common/schema.js';
import type { ClockLike, ConnectorContext, ConnectorTable, OutputMode, Sink, SinkBatch, SinkWriter } from '../api.js';
import { RowKind } from '../api.js';
import { toTextValue } from '../formats/convert.js';
import type { Format, TextFormat } from '../formats/decoded.js';
import { formatFromOptions } from '../formats/format.js';
import { committedBatchIds, exists, listCommittedFiles, MANIFEST_DIR, manifestName, partitionDirName, readManifest } from './layout.js';
import { partitionCommitOptions, resolvedPath } from './options.js';
import { PartitionCommitter } from './partition-commit.js';
import { claimSink, type UnlistedPart } from './sink-owner.js';

const PART_FILE = /^\.?part-(\d{8})-/;

export class FilesystemSink implements Sink {
  readonly description: string;
  /** data files this sink has written in this run (the `weir run` summary says how many) */
  filesWritten = 0;
  private readonly dir: string;
  private readonly format: Format;
  private schema: Schema = { columns: [] };
  private mode: OutputMode = 'append';
  /** the columns that identify a result row in update mode */
  private keyColumns: readonly number[] = [];
  /** indices of the PARTITIONED BY columns in the schema */
  private partitionCols: number[] = [];
  /** the schema inside part files: without the partition columns */
  private fileSchema: Schema = { columns: [] };

  /** the success-file policy's bookkeeping, when the table asks for it */
  private readonly committer: PartitionCommitter | undefined;
  private readonly clock: ClockLike;

  constructor(private readonly table: ConnectorTable, ctx: ConnectorContext) {
    this.dir = resolvedPath(table, ctx.baseDir);
    this.format = formatFromOptions(table.options, table.optionSpans, 'filesystem', table.optionSpans.get('connector'), table.schema.columns).format;
    this.description = `filesystem[${this.dir}]`;
    this.clock = ctx.clock;
    const commit = partitionCommitOptions(table);
    if (commit.successFile !== undefined) {
      if (table.partitionedBy.length === 0) {
        throw new WeirError('OPTION', `table '${table.name}': option 'sink.partition-commit.policy.kind' commits partitions, but the table has no PARTITIONED BY`,
          table.optionSpans.get('sink.partition-commit.policy.kind'));
      }
      this.committer = new PartitionCommitter(this.dir, { ...commit, successFile: commit.successFile }, table.partitionedBy);
    }
  }

  async open(ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string; writer?: SinkWriter }): Promise<void> {
    this.schema = ctx.schema;
    this.mode = ctx.mode;
    this.keyColumns = ctx.keyColumns;
    this.partitionCols = this.table.partitionedBy.map((name) => {
      const i = ctx.schema.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
      if (i < 0) {
        throw new WeirError('OPTION', `table '${this.table.name}': PARTITIONED BY column '${name}' is not one of its columns`, this.table.optionSpans.get('connector'));
      }
      return i;
    });
    this.fileSchema = { columns: ctx.schema.columns.filter((_, i) => !this.partitionCols.includes(i)) };
    // a type the format cannot hold fails the query now, not at its first batch
    if (this.format.binary) {
      await this.format.load?.();
      this.format.checkWritable?.(this.fileSchema);
    }
    await fsp.mkdir(path.join(this.dir, MANIFEST_DIR), { recursive: true });
    const unlisted = await this.unlistedParts();
    // without a writer (the late-rows table) every unlisted file counts as a crash's leftover
    const leftover = ctx.writer === undefined
      ? () => true
      : await claimSink(this.dir, ctx.writer, this.mode, committedBatchIds(this.dir), unlisted.filter((p) => !p.temp), writeDurably);
    for (const p of unlisted) if (p.temp || leftover(p)) await removeIfThere(path.join(this.dir, p.rel));
    if (this.committer) {
      if (this.mode !== 'append') {
        throw new WeirError('OPTION', `table '${this.table.name}': partition commit ('sink.partition-commit.policy.kind') needs append mode, `
          + `as Flink's filesystem sink takes inserts only; the query runs in ${this.mode} mode`, this.table.optionSpans.get('sink.partition-commit.policy.kind'));
      }
      await this.committer.recover(listCommittedFiles(this.dir), this.clock.now());
    }
    const ids = committedBatchIds(this.dir);
    if (this.mode === 'complete' && ids.length > 0) await this.removeOlderThan(ids[ids.length - 1]!);
  }

  async write(batch: SinkBatch): Promise<void> {
    const manifest = path.join(this.dir, MANIFEST_DIR, manifestName(batch.batchId));
    if (await exists(manifest)) {
      // written before the crash: the commit happened, only complete mode's clean-up may be missing
      if (this.mode === 'complete') await this.removeOlderThan(batch.batchId);
      // the crash may have come before the success files the commit makes due
      await this.commitPartitions(batch);
      return;
    }
    const encode = this.format.binary ? undefined : this.format.encodeBuffer;
    // inserts without partitions into a text format: one part file, written chunk by chunk
    const parts = this.partitionCols.length === 0 && batch.kinds === undefined && encode
      ? { written: await this.writeChunks(batch, encode), partitions: [] }
      : await this.writeParts(batch);
    await writeDurably(manifest, parts.written.map((f) => `${f}\n`).join(''));
    this.filesWritten += parts.written.length;
    if (this.mode === 'complete') await this.removeOlderThan(batch.batchId);
    this.committer?.noteWritten(parts.partitions, batch.processingTime ?? this.clock.now());
    await this.commitPartitions(batch);
  }

  /** The batch's part files, one per partition directory: their paths and the partitions written. */
  private async writeParts(batch: SinkBatch): Promise<{ written: string[]; partitions: Iterable<string> }> {
    const all = concatBatches(toArrowSchema(this.schema), batch.data);
    const { indices, ops } = this.rowsToWrite(all, batch.kinds);
    const written: string[] = [];
    const groups = this.groupByPartition(all, indices);
    let i = 0;
    for (const [dirRel, rows] of groups) {
      // every row in order (an append without partitions): the batch as it is, not a copy
      const part = rows.length === all.numRows && indices.length === all.numRows ? all : takeBatch(all, Uint32Array.from(rows.map((r) => indices[r]!)));
      const fileBatch = this.partitionCols.length === 0 ? part : dropColumns(part, this.partitionCols, this.fileSchema);
      const fileOps = ops && rows.map((r) => ops[r]!);
      const content = this.format.binary
        ? this.format.encodeBytes(fileBatch, this.fileSchema, fileOps)
        : this.format.encodeBuffer?.(fileBatch, this.fileSchema, fileOps) ?? this.format.encode(fileBatch, this.fileSchema, fileOps);
      const name = `part-${manifestName(batch.batchId)}-${i++}.${this.format.extension}`;
      const rel = dirRel ? `${dirRel}/${name}` : name;
      await fsp.mkdir(path.join(this.dir, dirRel), { recursive: true });
      await writeDurably(path.join(this.dir, rel), content);
      written.push(rel);
    }
    return { written, partitions: groups.keys() };
  }

  /**
   * The one part file of a batch of inserts without partitions into a text format (what writeParts
   * writes for it), its chunks encoded one after the other instead of concatenated into one batch
   * first (a copy of every column of the batch), each chunk's bytes written while the next one is
   * encoded (a JSON copy of 1.84 M bids spent 0.1 s a batch encoding, then 0.12 s writing).
   */
  private async writeChunks(batch: SinkBatch, encode: NonNullable<TextFormat['encodeBuffer']>): Promise<string[]> {
    const chunks = batch.data.filter((c) => c.numRows > 0);
    if (chunks.length === 0) return [];
    const name = `part-${manifestName(batch.batchId)}-0.${this.format.extension}`;
    await writeDurably(path.join(this.dir, name), async (fh) => {
      let writing: Promise<void> = Promise.resolve();
      try {
        for (let k = 0; k < chunks.length; k++) {
          const piece = encode(chunks[k]!, this.fileSchema, undefined, k > 0);
          await writing;
          writing = writeAll(fh, piece);
        }
        await writing;
      } catch (e) {
        // the write in flight ends before the file is closed
        await writing.catch(() => undefined);
        throw e;
      }
    });
    return [name];
  }

  /** Success files for the partitions complete as of this batch (after its manifest: its files are committed). */
  private async commitPartitions(batch: SinkBatch): Promise<void> {
    await this.committer?.commitDue(batch.watermark ?? -Infinity, batch.processingTime ?? this.clock.now());
  }

  /** Partitions written but not committed yet (success-file policy), as `k=v/...` directories. */
  pendingPartitions(): string[] {
    return this.committer?.pendingPartitions() ?? [];
  }

  /** Which rows go to the files, and each one's `_op` marker (undefined: none anywhere). */
  private rowsToWrite(all: arrow.RecordBatch, kinds: Uint8Array | undefined): { indices: number[]; ops: string[] | undefined } {
    const n = all.numRows;
    const indices: number[] = [];
    if (!kinds) {
      for (let i = 0; i < n; i++) indices.push(i);
      return { indices, ops: undefined };
    }
    const ops: string[] = [];
    let anyDelete = false;
    const retracted = retractedKeys(all, kinds, this.keyColumns);
    for (let i = 0; i < n; i++) {
      // an UPDATE_BEFORE is skipped when an UPDATE_AFTER of its key follows in the batch; alone
      // (a HAVING or WHERE above the aggregate dropped the new row) the key left the result
      if (kinds[i] === RowKind.UPDATE_BEFORE && !retracted.has(i)) continue;
      indices.push(i);
      const del = kinds[i] === RowKind.DELETE || kinds[i] === RowKind.UPDATE_BEFORE;
      anyDelete ||= del;
      ops.push(del ? 'delete' : '');
    }
    return { indices, ops: anyDelete ? ops : undefined };
  }

  /** Positions into `indices`, grouped by partition directory, in first-appearance order. */
  private groupByPartition(all: arrow.RecordBatch, indices: readonly number[]): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    if (indices.length === 0) return groups;
    if (this.partitionCols.length === 0) {
      groups.set('', indices.map((_, r) => r));
      return groups;
    }
    // a partition value's directory name, made once per distinct value (q10: a few per batch)
    const cols = this.partitionCols.map((c) => {
      const col = this.schema.columns[c]!;
      const read = readerFor(all.data.children[c]!);
      const names = new Map<unknown, string>();
      return (row: number): string => {
        const v = read(row);
        let name = names.get(v);
        if (name === undefined) names.set(v, (name = partitionDirName(col.name, toTextValue(col.type, v))));
        return name;
      };
    });
    indices.forEach((row, r) => {
      const dir = cols.length === 1 ? cols[0]!(row) : cols.map((name) => name(row)).join('/');
      let g = groups.get(dir);
      if (!g) groups.set(dir, (g = []));
      g.push(r);
    });
    return groups;
  }

  /**
   * Part files (and temp files) that no manifest lists, with their batch ids; half-written manifests
   * count as temp files. Which of them are a crash's leftovers open() decides.
   */
  private async unlistedParts(): Promise<(UnlistedPart & { temp: boolean })[]> {
    const committed = new Set(listCommittedFiles(this.dir));
    const out: (UnlistedPart & { temp: boolean })[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await fsp.readdir(path.join(this.dir, rel), { withFileTypes: true });
      for (const e of entries) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (rel === '' && e.name === MANIFEST_DIR) {
            for (const m of await fsp.readdir(path.join(this.dir, MANIFEST_DIR))) {
              if (m.startsWith('.')) out.push({ rel: `${MANIFEST_DIR}/${m}`, batchId: -1, temp: true });
            }
          } else await walk(child);
          continue;
        }
        const m = PART_FILE.exec(e.name);
        if (m && !committed.has(child)) out.push({ rel: child, batchId: Number(m[1]), temp: e.name.startsWith('.') });
      }
    };
    await walk('');
    return out;
  }

  /** Complete mode: drop every result older than batch `id` (manifest first, then its files). */
  private async removeOlderThan(id: number): Promise<void> {
    for (const old of committedBatchIds(this.dir)) {
      if (old >= id) break;
      const files = readManifest(this.dir, old);
      await removeIfThere(path.join(this.dir, MANIFEST_DIR, manifestName(old)));
      for (const f of files) await removeIfThere(path.join(this.dir, f));
    }
  }

  async close(): Promise<void> {}
}

/**
 * Rows (indices) of UPDATE_BEFORE kind that no later INSERT or UPDATE_AFTER of the same key follows
 * in the batch: the key is no longer in the result.
 */
function retractedKeys(all: arrow.RecordBatch, kinds: Uint8Array, keyColumns: readonly number[]): Set<number> {
  const out = new Set<number>();
  if (!kinds.includes(RowKind.UPDATE_BEFORE)) return out;
  const cols = keyColumns.map((c) => all.data.children[c]!);
  const keyOf = (i: number): string => JSON.stringify(cols.map((d) => valueAt(d, i)), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  const upserted = new Set<string>();
  for (let i = kinds.length - 1; i >= 0; i--) {
    const k = kinds[i];
    if (k === RowKind.INSERT || k === RowKind.UPDATE_AFTER) upserted.add(keyOf(i));
    else if (k === RowKind.UPDATE_BEFORE && !upserted.has(keyOf(i))) out.add(i);
    else if (k === RowKind.DELETE) upserted.delete(keyOf(i));
  }
  return out;
}

function dropColumns(b: arrow.RecordBatch, drop: readonly number[], schema: Schema): arrow.RecordBatch {
  return batchFromColumns(schema, b.data.children.filter((_, i) => !drop.includes(i)), b.numRows);
}

async function removeIfThere(p: string): Promise<void> {
  await fsp.rm(p, { force: true });
}

/** Write to a '.'-prefixed temp name beside the target, fsync, rename: readers never see half a file. */
async function writeDurably(file: string, content: string | Uint8Array | ((fh: fsp.FileHandle) => Promise<void>)): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  const fh = await fsp.open(tmp, 'w');
  try {
    if (typeof content === 'function') await content(fh);
    else await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  await syncDirectory(path.dirname(file));
}

/** All of `bytes` at the file's position (a write may take fewer bytes than it is given). */
async function writeAll(fh: fsp.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
}

/** Make the rename itself durable; some platforms cannot open a directory for fsync, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close();
  }
}
