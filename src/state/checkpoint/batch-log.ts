/**
 * A log of one JSON entry per micro-batch in a directory, as Spark's offset and commit logs: the
 * file `DIR/N` holds batch N's entry. Files are written atomically; a file that does not parse (the
 * remains of a crash on a file system that broke the rename promise) counts as absent, so it never
 * blocks a restart and may be written again.
 *
 * A file is two lines: the entry's JSON, then the checksum of that line (checksum.ts). A file whose
 * checksum does not match its entry was changed after it was written: that is not a crash's
 * remains but corruption, and reading it is a STATE error naming the file (guessing what batch N
 * was would silently change results). Files written before checksums (one line) are still read.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WeirError } from '../../common/errors.js';
import { readTextOrUndefined, removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { checksumOf } from './checksum.js';

/** JSON, the same shape as connectors' `Json` (state does not import connectors). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

const BATCH_FILE = /^(0|[1-9][0-9]*)$/;

export class BatchLog<T extends JsonValue> {
  private constructor(readonly dir: string) {}

  /** Open (creating if needed) the log in `dir`, deleting temporary files a crash left there. */
  static async open<T extends JsonValue>(dir: string): Promise<BatchLog<T>> {
    await fs.mkdir(dir, { recursive: true });
    await removeStaleTemps(dir);
    return new BatchLog<T>(dir);
  }

  private file(batchId: number): string {
    return path.join(this.dir, String(batchId));
  }

  /**
   * Record batch `batchId`'s entry. Writing the same entry again is a no-op (a re-run batch); a
   * different entry for a batch already logged is refused, since it would mean two runs disagree
   * about what batch N was.
   */
  async add(batchId: number, entry: T): Promise<void> {
    if (!Number.isSafeInteger(batchId) || batchId < 0) throw new RangeError(`bad batch id ${batchId}`);
    const text = JSON.stringify(entry);
    const existing = await this.get(batchId);
    if (existing !== undefined) {
      if (JSON.stringify(existing) === text) return;
      throw new WeirError('STATE', `${this.file(batchId)} already holds a different entry for batch ${batchId}: another query may be writing to this checkpoint`);
    }
    await writeFileAtomic(this.file(batchId), `${text}\n${checksumOf(text)}\n`);
  }

  /**
   * Batch `batchId`'s entry, or undefined when there is none or it does not parse (torn). A
   * checksum that does not match is a STATE error.
   */
  async get(batchId: number): Promise<T | undefined> {
    return (await readLogEntry(this.file(batchId))) as T | undefined;
  }

  /** The batch ids that have a file, ascending (whether or not the file parses). */
  async list(): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.filter((n) => BATCH_FILE.test(n)).map(Number).sort((a, b) => a - b);
  }

  /** The highest batch id whose file parses, with its entry. */
  async latest(): Promise<{ batchId: number; entry: T } | undefined> {
    const ids = await this.list();
    for (let i = ids.length - 1; i >= 0; i--) {
      const entry = await this.get(ids[i]!);
      if (entry !== undefined) return { batchId: ids[i]!, entry };
    }
    return undefined;
  }

  /** Delete the entry of batch `batchId` (a torn or stale file). */
  async remove(batchId: number): Promise<void> {
    await fs.rm(this.file(batchId), { force: true });
  }

  /** Delete every entry above `batchId` (the leftovers of a run whose later batches never committed). */
  async removeAfter(batchId: number): Promise<number[]> {
    const gone = (await this.list()).filter((id) => id > batchId);
    await Promise.all(gone.map((id) => this.remove(id)));
    return gone;
  }

  /** Delete every entry below `batchId`; returns the ids deleted. */
  async purgeBelow(batchId: number): Promise<number[]> {
    const gone = (await this.list()).filter((id) => id < batchId);
    await Promise.all(gone.map((id) => this.remove(id)));
    return gone;
  }

  /** Keep the `keepLast` highest batch ids and delete the older files; returns the ids deleted. */
  async purge(keepLast: number): Promise<number[]> {
    if (keepLast < 1) throw new RangeError('a batch log keeps at least one entry');
    const ids = await this.list();
    const gone = ids.slice(0, Math.max(0, ids.length - keepLast));
    await Promise.all(gone.map((id) => this.remove(id)));
    return gone;
  }
}

/**
 * The entry in a log file: undefined when the file is missing, empty or cut off inside the JSON
 * (a torn write); a STATE error when a checksum line is there and does not match.
 */
export async function readLogEntry(file: string): Promise<JsonValue | undefined> {
  const text = await readTextOrUndefined(file);
  if (text === undefined) return undefined;
  const nl = text.indexOf('\n');
  const json = nl < 0 ? text : text.slice(0, nl);
  const check = nl < 0 ? '' : text.slice(nl + 1).trim();
  if (check !== '') {
    const expected = checksumOf(json);
    // a checksum line cut short (a torn write after a whole entry line) still vouches for nothing
    // wrong: the entry line before it is whole
    if (check !== expected && !(expected.startsWith(check) && nl + 1 + check.length >= text.trimEnd().length)) {
      throw new WeirError('STATE', `${file} is corrupt: its checksum (${check.slice(0, 40)}) does not match its content; `
        + 'the file was changed after Weir wrote it. Restore it from a copy of the checkpoint');
    }
  }
  if (json.trim() === '') return undefined;
  try {
    return JSON.parse(json) as JsonValue;
  } catch {
    return undefined;
  }
}
