/**
 * Opening the stateful operators' stores when a query resumes, and going back when a damaged file
 * (a cut-off or changed delta or snapshot: state-files.ts) makes the last committed version
 * unreadable.
 *
 * Every batch's offsets, watermark and timestamp are in the offset log, and sources are
 * replayable, so state at version N can be recomputed from an older intact version V by running
 * batches V+1..N again exactly as planned (Spark's micro-batch protocol makes them deterministic).
 * The stores are opened at the newest version every one of them can rebuild, and those batches are
 * handed back for replay. Their output was delivered and committed before, so the replay updates
 * state only: nothing goes to the sink again. When the offsets needed are gone (older than
 * 'checkpoint.retain') the damage is reported as it was found, with what would be needed; so is it
 * when a source cannot read committed batches again (`Source.replayable`: the memory source).
 */
import { WeirError } from '../../common/errors.js';
import type { BatchCommit, BatchOffsets, Checkpoint } from '../../state/checkpoint/checkpoint.js';
import type { StateStore, StateStoreProvider } from '../../state/state-store.js';

export interface OpenedStores {
  readonly stores: Map<number, StateStore>;
  /** when the stores opened at an older version than asked: where to resume, and what to replay */
  readonly rebuild?: {
    /** the version the stores opened at (-1: empty state, replay from the first batch) */
    readonly version: number;
    /** that batch's offsets and commit (the sources' start, the watermark); undefined for -1 */
    readonly offsets: BatchOffsets | undefined;
    readonly commit: BatchCommit | undefined;
    /** batches version+1 .. the asked version, in order, to run again for their state alone */
    readonly replay: readonly BatchOffsets[];
    /** what was damaged (the first failure), for progress and messages */
    readonly damage: string;
  };
}

/** `notReplayable`: the descriptions of the query's sources that cannot read committed batches again. */
export async function openStores(operatorIds: readonly number[], version: number, provider: StateStoreProvider,
  checkpoint: Checkpoint | undefined, notReplayable: readonly string[]): Promise<OpenedStores> {
  let at = version;
  let damage: WeirError | undefined;
  for (;;) {
    const stores = new Map<number, StateStore>();
    try {
      for (const id of operatorIds) stores.set(id, await provider.open(id, at));
      if (damage === undefined) return { stores };
      return { stores, rebuild: await replayPlan(checkpoint!, at, version, damage) };
    } catch (e) {
      if (!(e instanceof WeirError) || e.code !== 'STATE' || checkpoint === undefined || provider.newestLoadableVersion === undefined) throw e;
      damage ??= e;
      if (notReplayable.length > 0) {
        throw new WeirError('STATE', `${e.message}. Rebuilding it from older versions would replay committed batches, but `
          + `${notReplayable.join(', ')} cannot read them again. Restore the damaged file from a copy of the checkpoint`);
      }
      let older = at;
      for (const id of operatorIds) older = Math.min(older, await provider.newestLoadableVersion(id, at));
      if (older >= at) throw e;
      at = older;
    }
  }
}

export async function replayPlan(cp: Checkpoint, from: number, to: number, damage: WeirError): Promise<NonNullable<OpenedStores['rebuild']>> {
  const cannot = (what: string): WeirError => new WeirError('STATE', `${damage.message}. The newest state every operator can rebuild is `
    + `version ${from}, but ${what}, so the batches after it cannot be replayed ('checkpoint.retain' keeps ${cp.retain} batches). `
    + 'Restore the damaged file from a copy of the checkpoint');
  const replay: BatchOffsets[] = [];
  for (let b = from + 1; b <= to; b++) {
    const o = await cp.offsetsOf(b);
    if (o === undefined) throw cannot(`the offsets of batch ${b} are gone`);
    replay.push(o);
  }
  const offsets = from >= 0 ? await cp.offsetsOf(from) : undefined;
  const commit = from >= 0 ? await cp.commitOf(from) : undefined;
  if (from >= 0 && (offsets === undefined || commit === undefined)) throw cannot(`the offsets or commit of batch ${from} are gone`);
  return { version: from, offsets, commit, replay, damage: damage.message };
}
