/**
 * Partition commit for the partitioned filesystem sink, as Flink's: once a partition is complete,
 * the success-file policy writes an empty `_SUCCESS` file in its directory, telling downstream jobs
 * they may read it.
 *
 * When a partition is complete:
 * - trigger 'partition-time': when the watermark a batch runs with is past the partition's time plus
 *   'sink.partition-commit.delay' (Flink: watermark > time + delay). The time is extracted from the
 *   partition values with 'partition.time-extractor.timestamp-pattern' (`$dt $hm:00`; default: the
 *   first partition key's value) and read as a UTC timestamp ('yyyy-MM-dd[ HH:mm[:ss[.SSS]]]'); a
 *   partition whose time cannot be extracted (the NULL partition, other text) is committed at the end.
 * - trigger 'process-time': when the batch's processing time is past the time the partition was
 *   created (its first part file was committed) plus the delay.
 * - either way, at the end of a bounded input (the batch with watermark +infinity) every partition.
 *
 * A success file is written after the batch's manifest, so the files it vouches for are committed.
 * Pending partitions are not checkpointed: open() finds them again as the directories of committed
 * part files without a success file (for 'process-time' their creation time is then the time of
 * open(), so a restart may delay a commit, never bring it forward). A row arriving for a partition
 * already committed (late) is still written; its success file stays.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { parseTimestamp } from '../formats/convert.js';
import { exists, partitionValues } from './layout.js';
import type { PartitionCommitOptions } from './options.js';

interface Pending {
  readonly createdAt: number;
  /** the partition's time, epoch ms; undefined when it cannot be extracted */
  readonly time: number | undefined;
}

/** The partition directory (relative, `k=v/...`) of a part file's relative path. */
export const partitionDirOf = (relFile: string): string => relFile.slice(0, Math.max(0, relFile.lastIndexOf('/')));

/**
 * The partition's time: `pattern` with each `$key` replaced by the partition's value (the longest
 * key that matches at a `$`), read as a UTC timestamp. Undefined when a value is NULL or the text is
 * not a timestamp.
 */
export function extractPartitionTime(pattern: string | undefined, keys: readonly string[], values: ReadonlyMap<string, string | null>): number | undefined {
  const valueOf = (k: string): string | null | undefined => {
    for (const [name, v] of values) if (name.toLowerCase() === k.toLowerCase()) return v;
    return undefined;
  };
  let text: string;
  if (pattern === undefined) {
    const v = keys.length > 0 ? valueOf(keys[0]!) : undefined;
    if (v === null || v === undefined) return undefined;
    text = v;
  } else {
    const byLength = [...keys].sort((a, b) => b.length - a.length);
    let missing = false;
    text = pattern.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
      const key = byLength.find((k) => name.toLowerCase().startsWith(k.toLowerCase()));
      if (key === undefined) return whole;
      const v = valueOf(key);
      if (v === null || v === undefined) { missing = true; return ''; }
      return v + name.slice(key.length);
    });
    if (missing) return undefined;
  }
  return parseTimestamp(text.trim());
}

export class PartitionCommitter {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly dir: string, private readonly options: PartitionCommitOptions & { successFile: string },
    private readonly keys: readonly string[]) {}

  /** After a restart: the partitions of committed files that have no success file yet. */
  async recover(committedFiles: readonly string[], now: number): Promise<void> {
    for (const f of committedFiles) {
      const p = partitionDirOf(f);
      if (p === '' || this.pending.has(p)) continue;
      if (await exists(this.successPath(p))) continue;
      this.pending.set(p, { createdAt: now, time: this.timeOf(p) });
    }
  }

  /** The partition directories a batch just committed files into. */
  noteWritten(partitionDirs: Iterable<string>, now: number): void {
    for (const p of partitionDirs) {
      if (p === '' || this.pending.has(p)) continue;
      this.pending.set(p, { createdAt: now, time: this.timeOf(p) });
    }
  }

  /**
   * Write the success files of the partitions complete at `watermark` / `now` (every pending one at
   * watermark +infinity); returns their directories, in name order.
   */
  async commitDue(watermark: number, now: number): Promise<string[]> {
    const due: string[] = [];
    for (const [p, info] of this.pending) if (this.isDue(info, watermark, now)) due.push(p);
    due.sort();
    for (const p of due) {
      await writeEmpty(this.successPath(p));
      this.pending.delete(p);
    }
    return due;
  }

  /** Partitions written and not committed yet (for tests and progress). */
  pendingPartitions(): string[] {
    return [...this.pending.keys()].sort();
  }

  private isDue(info: Pending, watermark: number, now: number): boolean {
    if (watermark === Infinity) return true;
    if (this.options.trigger === 'process-time') return now > info.createdAt + this.options.delayMs;
    return info.time !== undefined && watermark > info.time + this.options.delayMs;
  }

  private timeOf(partitionDir: string): number | undefined {
    return extractPartitionTime(this.options.timestampPattern, this.keys, partitionValues(`${partitionDir}/x`));
  }

  private successPath(partitionDir: string): string {
    return path.join(this.dir, partitionDir, this.options.successFile);
  }
}

/** An empty file, through a temp name: it appears whole or not at all. */
async function writeEmpty(file: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  await fsp.writeFile(tmp, '');
  await fsp.rename(tmp, file);
}
