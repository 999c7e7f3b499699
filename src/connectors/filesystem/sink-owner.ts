/**
 * Which checkpoint a filesystem sink's output belongs to (issue 10, "a lost checkpoint cannot
 * silently drop output").
 *
 * The sink skips a batch whose manifest exists: that is how a batch re-run after a crash is not
 * written twice. It is right only when the run delivering batch N is the one whose checkpoint
 * committed (or planned) batch N. A run on a new checkpoint (the old one deleted, or another
 * directory pointed at the same output) starts its batch ids at 0 again, and a checkpoint restored
 * from an older copy re-plans batches the sink already has: skipping those would drop their rows.
 *
 * So the sink records its writer in `_owner.json` beside `_manifest/` (the checkpoint's id and
 * directory, the query's id and name; not inside `_manifest/`, whose every file readers take for a
 * manifest) before its first manifest, and open() refuses, writing and deleting nothing,
 * when the output was written by another checkpoint, by a run without a checkpoint, when its
 * manifests go past what the checkpoint committed or planned, or when a committed batch's manifest
 * is gone while its part files are still there. Refusing loses nothing; the messages name the sink
 * path, the checkpoint that wrote it and the safe ways out. (Continuing after the existing manifests
 * would lose nothing either, but a new checkpoint re-reads its input from the start, so the output
 * would hold the old run's rows twice: not what an exactly-once sink promises.)
 *
 * A sink written before owners were recorded has manifests and no `_owner.json`: it is adopted by a
 * checkpoint that has committed or planned every batch it holds (the same query, upgraded), and
 * refused otherwise (a new checkpoint has committed nothing).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { WeirError } from '../../common/errors.js';
import type { OutputMode, SinkWriter } from '../api.js';
import { MANIFEST_DIR, manifestName } from './layout.js';
import { readTextOrUndefined } from '../../state/checkpoint/atomic-file.js';

export const OWNER_FILE = '_owner.json';

interface OwnerRecord {
  readonly version: 1;
  readonly checkpointId: string | null;
  readonly checkpointDir: string | null;
  readonly queryId: string;
  readonly queryName: string;
}

/** A part file that no manifest lists, with the batch id its name carries. */
export interface UnlistedPart {
  readonly rel: string;
  readonly batchId: number;
}

const ownerOf = (w: SinkWriter): OwnerRecord => ({
  version: 1, checkpointId: w.checkpointId ?? null, checkpointDir: w.checkpointDir ?? null, queryId: w.queryId, queryName: w.queryName,
});

const sameWriter = (o: OwnerRecord, w: SinkWriter): boolean =>
  o.checkpointId !== null ? o.checkpointId === w.checkpointId : w.checkpointId === undefined && o.queryId === w.queryId;

function describeOwner(o: OwnerRecord): string {
  return o.checkpointId === null
    ? `query ${o.queryName} (id ${o.queryId}) running without a checkpoint`
    : `checkpoint ${o.checkpointDir ?? '?'} (checkpoint id ${o.checkpointId}, query ${o.queryName})`;
}

const describeWriter = (w: SinkWriter): string => (w.checkpointId === undefined
  ? 'this run has no checkpoint'
  : `this run's checkpoint is ${w.checkpointDir ?? '?'} (checkpoint id ${w.checkpointId})`);

const WAYS_OUT = (dir: string): string => `write this query to a new, empty output path; or move ${dir} aside (rename it) and run again`;

async function readOwner(dir: string): Promise<OwnerRecord | undefined> {
  const file = path.join(dir, OWNER_FILE);
  const text = await readTextOrUndefined(file);
  if (text === undefined) return undefined;
  try {
    const o = JSON.parse(text) as OwnerRecord;
    if (typeof o === 'object' && o !== null && typeof o.queryId === 'string') return o;
  } catch { /* reported below */ }
  throw new WeirError('STATE', `filesystem sink ${dir}: ${file} is not a record of the checkpoint that writes this output; `
    + 'restore it from a copy, or ' + WAYS_OUT(dir));
}

/**
 * Check that `writer` may continue the output in `dir` (whose committed batch ids are `ids`,
 * ascending, and whose unlisted part files are `unlisted`), record it as the owner, and say which
 * unlisted part files are a crash's leftovers that open() may delete.
 */
export async function claimSink(dir: string, writer: SinkWriter, mode: OutputMode, ids: readonly number[],
  unlisted: readonly UnlistedPart[], write: (file: string, text: string) => Promise<void>): Promise<(part: UnlistedPart) => boolean> {
  const owner = await readOwner(dir);
  const last = writer.lastCommittedBatchId;
  // a new checkpoint (nothing committed or planned) has reach -1: any manifest is past it
  const reach = writer.pendingBatchId ?? last;
  const highest = ids.length > 0 ? ids[ids.length - 1]! : -1;
  // part files without manifests may be committed output whose manifests were removed: not ours to take
  const written = ids.length > 0 || unlisted.length > 0;
  if (owner !== undefined && !sameWriter(owner, writer) && written) {
    const remade = owner.checkpointDir !== null && owner.checkpointDir === writer.checkpointDir;
    const resume = owner.checkpointId === null ? ''
      : remade ? 'restore the checkpoint that wrote it from a copy; or '
        : `resume on the checkpoint that wrote it (${owner.checkpointDir ?? '?'}); or `;
    throw new WeirError('STATE', `filesystem sink ${dir} was written by ${describeOwner(owner)}, and ${describeWriter(writer)}`
      + `${remade ? ': the checkpoint at that path was made anew (the one that wrote the sink was deleted or replaced)' : ''}. `
      + 'A query on another checkpoint numbers its batches from 0 again, and the batches the sink already has would be skipped. '
      + `Nothing was written to the sink. Safe ways out: ${resume}${WAYS_OUT(dir)}`);
  }
  if (owner === undefined && highest > reach) {
    throw new WeirError('STATE', `filesystem sink ${dir} holds batches 0..${highest} written before Weir recorded which checkpoint writes a sink, `
      + `and ${describeWriter(writer)}, which has ${last < 0 ? 'committed no batch' : `committed batches only up to ${last}`}: `
      + 'it is not the checkpoint that wrote them, and their batch ids would be skipped. Nothing was written to the sink. Safe ways out: resume on the '
      + 'checkpoint that wrote it; or ' + WAYS_OUT(dir));
  }
  if (highest > reach) {
    throw new WeirError('STATE', `filesystem sink ${dir} holds batches up to ${highest} from ${describeOwner(owner!)}, but that checkpoint has `
      + `${last < 0 ? 'committed no batch' : `committed only up to batch ${last}`}: the checkpoint is older than the sink (restored from an earlier `
      + 'copy, or its commits removed), and the batches after it would be skipped. Nothing was written to the sink. Safe ways out: resume on the newest '
      + 'copy of the checkpoint; or ' + WAYS_OUT(dir));
  }
  // complete mode deletes older results after each new one: unlisted files below the newest
  // manifest are that clean-up cut short; files of a batch after the last commit, a crash's leftovers
  const leftover = (p: UnlistedPart): boolean => p.batchId > last || (mode === 'complete' && p.batchId < highest);
  const orphaned = unlisted.filter((p) => !leftover(p));
  if (orphaned.length > 0) {
    const batchId = orphaned[0]!.batchId;
    const files = orphaned.filter((p) => p.batchId === batchId).map((p) => p.rel);
    throw new WeirError('STATE', `filesystem sink ${dir} is damaged: batch ${batchId} was committed (${describeWriter(writer)}) but its manifest `
      + `${path.join(dir, MANIFEST_DIR, manifestName(batchId))} is missing, while its part files are still there: ${files.join(', ')}. `
      + 'Nothing was written or deleted. Restore the manifest from a copy (it lists the batch\'s part files, one relative path a line, '
      + 'so these), or ' + WAYS_OUT(dir));
  }
  if (owner === undefined || !sameWriter(owner, writer)) {
    await write(path.join(dir, OWNER_FILE), JSON.stringify(ownerOf(writer)) + '\n');
  }
  return leftover;
}
