/**
 * A query's checkpoint directory (DESIGN.md "Micro-batch protocol"):
 *
 *   metadata      {version, id, checkpointId, fingerprint, createdAt}: which query owns the
 *                 directory; `checkpointId` is a UUID made with the directory, which sinks record so
 *                 they can tell this checkpoint from another one of the same query
 *   offsets/N     written before batch N runs: source offsets, watermark, batch timestamp, the
 *                 settings that change results, and what sources need to resume
 *   commits/N     written after the sink took batch N and every state store committed version N
 *   state/<op>/   each stateful operator's versioned state (file-state-store.ts, lmdb-state-store.ts)
 *
 * Recovery: the last batch with a commit is done; a batch with offsets but no commit is re-run with
 * exactly the recorded offsets, watermark and timestamp, over state loaded at the last committed
 * version. Every file is written atomically, and a file that does not parse counts as absent; log
 * entries carry a checksum, and one that does not match is a STATE error naming the file.
 *
 * Each commit entry also records the checkpoint id, the query id and the fingerprint, so a deleted
 * `metadata` file is rebuilt from the newest commit, or the query refused if it differs, instead of
 * state being read as something it is not.
 */
import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WeirError } from '../../common/errors.js';
import { randomUUID } from 'node:crypto';
import { readJsonOrUndefined, removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { BatchLog, type JsonValue } from './batch-log.js';
import { matchState, sameFingerprint, withStateIds, type QueryFingerprint } from './fingerprint.js';
import { withCheckpointIo } from './io-errors.js';

export type { OperatorFingerprint, QueryFingerprint } from './fingerprint.js';

/** JSON has no infinities: -Infinity (no watermark yet) is null, +Infinity (inputs exhausted) '+inf'. */
export type EncodedWatermark = number | null | '+inf';

export function encodeWatermark(wm: number): EncodedWatermark {
  if (wm === Infinity) return '+inf';
  if (wm === -Infinity || Number.isNaN(wm)) return null;
  return wm;
}

export function decodeWatermark(wm: EncodedWatermark | undefined): number {
  if (wm === '+inf') return Infinity;
  if (wm === null || wm === undefined) return -Infinity;
  return wm;
}

/** The `offsets/N` file. */
export interface OffsetsEntry {
  readonly [k: string]: JsonValue;
  readonly version: 1;
  readonly batchId: number;
  /** each source's end offset for the batch, in plan order; null: the source has no offset yet */
  readonly sources: readonly JsonValue[];
  readonly watermark: EncodedWatermark;
  /** the batch's processing time (epoch ms) */
  readonly timestamp: number;
  /** the settings that change results, as they were when the batch was planned */
  readonly settings: { readonly [k: string]: string };
  /** whatever else sources or the watermark tracker need to resume */
  readonly sourceState: JsonValue;
}

/** The `commits/N` file. */
export interface CommitEntry {
  readonly [k: string]: JsonValue;
  readonly version: 1;
  readonly batchId: number;
  /** the watermark the next batch will use (the tracker advances after a batch) */
  readonly nextWatermark: EncodedWatermark;
  /** processing time of the commit */
  readonly committedAt: number;
  readonly extra: JsonValue;
  /**
   * A copy of the batch's offsets entry: where sources resume even if `offsets/N` was torn (a file
   * system that broke the rename promise); missing in checkpoints written before it was added
   */
  readonly offsets: JsonValue;
  /**
   * the checkpoint's and the query's ids (strings) and the query's fingerprint; missing (read as
   * undefined, so check with typeof) in checkpoints written before they were recorded
   */
  readonly checkpointId: JsonValue;
  readonly queryId: JsonValue;
  readonly fingerprint: JsonValue;
}

/** One batch's plan, as the micro-batch loop sees it. */
export interface BatchOffsets {
  readonly batchId: number;
  readonly sources: readonly (JsonValue | undefined)[];
  readonly watermark: number;
  readonly timestamp: number;
  readonly settings: Readonly<Record<string, string>>;
  readonly sourceState?: JsonValue;
}

export interface BatchCommit {
  readonly batchId: number;
  readonly nextWatermark: number;
  readonly committedAt: number;
  /** e.g. the watermark tracker's per-input maxima */
  readonly extra?: JsonValue;
}

export interface RecoveryPoint {
  /** the last batch whose commit is recorded; -1 when none is */
  readonly lastCommitted: number;
  /** the offsets of that batch: where the sources resume (undefined when lastCommitted is -1) */
  readonly committed?: BatchOffsets;
  /** its commit entry (the watermark for the next batch) */
  readonly commit?: BatchCommit;
  /** a batch planned but not committed: re-run it with exactly these offsets, watermark, timestamp */
  readonly pending?: BatchOffsets;
  /** the id the next batch to run has (pending's, or lastCommitted + 1) */
  readonly nextBatchId: number;
}

interface MetadataFile {
  readonly [k: string]: JsonValue;
  readonly version: 1;
  readonly id: string;
  /** missing (undefined) in checkpoints made before it existed: one is made when such a checkpoint is opened */
  readonly checkpointId: JsonValue;
  readonly fingerprint: JsonValue;
  readonly createdAt: number;
}

export interface CheckpointOptions {
  /** the query id to record when the directory is new (an existing checkpoint keeps its own) */
  readonly queryId: string;
  /** processing time now (epoch ms), from the engine's clock */
  readonly now: number;
  /** how many batches of offsets and commits to keep (setting 'checkpoint.retain'); default 100 */
  readonly retain?: number;
}

export const DEFAULT_RETAIN = 100;

/** a name removeStaleTemps deletes (atomic-file.ts isTempFile) */
const TEMP_PROBE = '.tmp-writable';

const toOffsetsEntry = (b: BatchOffsets): OffsetsEntry => ({
  version: 1,
  batchId: b.batchId,
  sources: b.sources.map((s) => s ?? null),
  watermark: encodeWatermark(b.watermark),
  timestamp: b.timestamp,
  settings: { ...b.settings },
  sourceState: b.sourceState ?? null,
});

const fromOffsetsEntry = (e: OffsetsEntry): BatchOffsets => ({
  batchId: e.batchId,
  sources: e.sources.map((s) => (s === null ? undefined : s)),
  watermark: decodeWatermark(e.watermark),
  timestamp: e.timestamp,
  settings: { ...(e.settings ?? {}) },
  ...(e.sourceState !== null && e.sourceState !== undefined ? { sourceState: e.sourceState } : {}),
});

const fromCommitEntry = (e: CommitEntry): BatchCommit => ({
  batchId: e.batchId,
  nextWatermark: decodeWatermark(e.nextWatermark),
  committedAt: e.committedAt,
  ...(e.extra !== null && e.extra !== undefined ? { extra: e.extra } : {}),
});

export class Checkpoint {
  /** milliseconds spent writing offsets and commit files for the last batch (for progress) */
  lastWriteMs = 0;

  private constructor(
    readonly dir: string,
    /** the query's id (progress `id`), kept for the checkpoint's life */
    readonly id: string,
    /** this checkpoint directory's own id (a UUID), recorded by sinks with what they write */
    readonly checkpointId: string,
    private readonly fingerprint: QueryFingerprint,
    readonly createdAt: number,
    readonly retain: number,
    private readonly offsets: BatchLog<OffsetsEntry>,
    private readonly commits: BatchLog<CommitEntry>,
    /**
     * The state id each operator's state was written under, by its id in this query's plan, where
     * they differ (operators matched by uid that changed places): open its store under that id.
     */
    readonly stateIds: ReadonlyMap<number, number>,
  ) {}

  /** where state stores keep their files */
  get stateDir(): string {
    return path.join(this.dir, 'state');
  }

  /**
   * Open the checkpoint in `dir` for a query with `fingerprint`, creating it when new. A checkpoint
   * written by a query whose stateful part differs is refused with what differs; other differences
   * are accepted and the new fingerprint recorded.
   */
  static async open(dir: string, fingerprint: QueryFingerprint, options: CheckpointOptions): Promise<Checkpoint> {
    const retain = options.retain ?? DEFAULT_RETAIN;
    if (!Number.isInteger(retain) || retain < 1) throw new WeirError('OPTION', `checkpoint.retain must be a positive integer, got ${retain}`);
    return withCheckpointIo(dir, () => Checkpoint.openDir(dir, fingerprint, options, retain));
  }

  private static async openDir(dir: string, fingerprint: QueryFingerprint, options: CheckpointOptions, retain: number): Promise<Checkpoint> {
    await fs.mkdir(dir, { recursive: true });
    await removeStaleTemps(dir);
    // found out now, not at the first batch: a checkpoint that cannot be written cannot be resumed
    await writeFileAtomic(path.join(dir, `.probe${TEMP_PROBE}`), '');
    await removeStaleTemps(dir);
    const metaFile = path.join(dir, 'metadata');
    const read = await readJsonOrUndefined(metaFile);
    const meta = typeof read === 'object' && read !== null && typeof (read as MetadataFile).id === 'string' ? read as MetadataFile : undefined;
    const offsets = await BatchLog.open<OffsetsEntry>(path.join(dir, 'offsets'));
    const commits = await BatchLog.open<CommitEntry>(path.join(dir, 'commits'));
    const owner = meta ?? await ownerFromCommits(dir, commits, fingerprint);
    let id = options.queryId;
    let checkpointId: string = randomUUID();
    let createdAt = options.now;
    let recorded = withStateIds(fingerprint, new Map());
    let stateIds: ReadonlyMap<number, number> = new Map();
    if (owner !== undefined) {
      const was = owner.fingerprint as unknown as QueryFingerprint;
      const match = matchState(was, fingerprint);
      if ('why' in match) throw new WeirError('STATE', `checkpoint ${dir} belongs to a different query: ${match.why}. `
        + 'Run the query that wrote it on this checkpoint, or give this query its own new checkpoint directory '
        + '(and, for a filesystem sink, a new output path: a new checkpoint starts over from the beginning of the input)');
      stateIds = match.stateIds;
      recorded = withStateIds(fingerprint, stateIds);
      id = owner.id;
      if (typeof owner.checkpointId === 'string') checkpointId = owner.checkpointId;
      createdAt = owner.createdAt;
    }
    if (meta === undefined || meta.checkpointId === undefined || !sameFingerprint(meta.fingerprint as unknown as QueryFingerprint, recorded)) {
      const file: MetadataFile = { version: 1, id, checkpointId, fingerprint: recorded as unknown as JsonValue, createdAt };
      await writeFileAtomic(metaFile, JSON.stringify(file) + '\n');
    }
    return new Checkpoint(dir, id, checkpointId, recorded, createdAt, retain, offsets, commits, stateIds);
  }

  /**
   * Where to resume. Also tidies what a crash left: a commit or offsets file that does not parse,
   * and offsets planned after the first uncommitted batch (they would disagree with the re-run).
   */
  async recoveryPoint(): Promise<RecoveryPoint> {
    const last = await this.commits.latest();
    const lastCommitted = last?.batchId ?? -1;
    await this.commits.removeAfter(lastCommitted);
    const nextBatchId = lastCommitted + 1;
    await this.offsets.removeAfter(nextBatchId);
    const pendingEntry = await this.offsets.get(nextBatchId);
    if (pendingEntry === undefined) await this.offsets.remove(nextBatchId);
    let committed: BatchOffsets | undefined;
    if (lastCommitted >= 0) {
      let e = await this.offsets.get(lastCommitted);
      const copy = last?.entry.offsets as OffsetsEntry | null | undefined;
      if (e === undefined && typeof copy === 'object' && copy !== null && copy.batchId === lastCommitted) {
        // offsets/N is torn but its commit kept a copy: write it back
        e = copy;
        await this.offsets.add(lastCommitted, copy);
      }
      if (e === undefined) throw new WeirError('STATE', `checkpoint ${this.dir} is damaged: batch ${lastCommitted} is committed but offsets/${lastCommitted} is missing or unreadable`);
      committed = fromOffsetsEntry(e);
    }
    return {
      lastCommitted,
      nextBatchId,
      ...(committed ? { committed } : {}),
      ...(last ? { commit: fromCommitEntry(last.entry) } : {}),
      ...(pendingEntry ? { pending: fromOffsetsEntry(pendingEntry) } : {}),
    };
  }

  /** Record batch N's plan before it runs (a re-run writes the identical entry: a no-op). */
  async writeOffsets(b: BatchOffsets): Promise<void> {
    const t0 = performance.now();
    await withCheckpointIo(this.dir, () => this.offsets.add(b.batchId, toOffsetsEntry(b)));
    this.lastWriteMs = performance.now() - t0;
  }

  /** Record that batch N is done, then drop the log entries beyond retention. */
  async writeCommit(c: BatchCommit): Promise<void> {
    const t0 = performance.now();
    const entry: CommitEntry = {
      version: 1,
      batchId: c.batchId,
      nextWatermark: encodeWatermark(c.nextWatermark),
      committedAt: c.committedAt,
      extra: c.extra ?? null,
      offsets: (await this.offsets.get(c.batchId)) ?? null,
      checkpointId: this.checkpointId,
      queryId: this.id,
      fingerprint: this.fingerprint as unknown as JsonValue,
    };
    await withCheckpointIo(this.dir, async () => {
      await this.commits.add(c.batchId, entry);
      await this.purge(c.batchId);
    });
    this.lastWriteMs += performance.now() - t0;
  }

  /** Delete offsets and commits older than the last `retain` committed batches. */
  async purge(lastCommitted: number): Promise<void> {
    const keepFrom = lastCommitted - this.retain + 1;
    if (keepFrom <= 0) return;
    await this.commits.purgeBelow(keepFrom);
    await this.offsets.purgeBelow(keepFrom);
  }

  async offsetsOf(batchId: number): Promise<BatchOffsets | undefined> {
    const e = await this.offsets.get(batchId);
    return e === undefined ? undefined : fromOffsetsEntry(e);
  }

  async commitOf(batchId: number): Promise<BatchCommit | undefined> {
    const e = await this.commits.get(batchId);
    return e === undefined ? undefined : fromCommitEntry(e);
  }

  /** Bytes the whole checkpoint directory takes on disk (for progress). */
  async sizeOnDisk(): Promise<number> {
    return dirSize(this.dir);
  }
}

export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else total += await fs.stat(p).then((s) => s.size, () => 0);
  }
  return total;
}

/**
 * The owner of a checkpoint whose `metadata` file is gone (deleted by hand, or lost with a copy):
 * rebuilt from the newest commit, which records it. A checkpoint with committed batches that do not
 * record it (written before they did) is refused: its state cannot be checked against the query.
 */
async function ownerFromCommits(dir: string, commits: BatchLog<CommitEntry>, fingerprint: QueryFingerprint): Promise<MetadataFile | undefined> {
  const last = await commits.latest();
  if (last === undefined) return undefined;
  const e = last.entry;
  if (typeof e.fingerprint !== 'object' || e.fingerprint === null || typeof e.queryId !== 'string') {
    throw new WeirError('STATE', `checkpoint ${dir} has committed batches (up to ${last.batchId}) but its metadata file is missing, `
      + 'and those batches were written by a Weir that did not record which query wrote them, so Weir cannot check that '
      + `the state belongs to this query (${fingerprint.operators.length} stateful operator(s)). Restore ${path.join(dir, 'metadata')} `
      + 'from a copy of the checkpoint, or give this query its own new checkpoint directory (and, for a filesystem sink, a new output path)');
  }
  return {
    version: 1,
    id: e.queryId,
    checkpointId: e.checkpointId,
    fingerprint: e.fingerprint,
    createdAt: e.committedAt,
  };
}
