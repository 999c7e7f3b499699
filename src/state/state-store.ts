/**
 * Versioned state stores, one per stateful operator (DESIGN.md "State").
 *
 * An operator reads and writes keys during micro-batch N; `commit(N)` makes that version durable
 * (the in-memory store keeps it; the checkpointing store of the fault-tolerance work also writes the
 * delta of keys changed in N), `abort()` rolls the uncommitted changes back, and a provider opens a
 * store at a committed version. Keys are strings (operators encode composite keys); values are
 * JSON-serialisable arrays so a delta can be written as one line per key.
 */
export type StateValue = readonly unknown[];

export interface StateStore {
  readonly operatorId: number;
  /** the version the store was opened at (the last committed batch id, -1 for empty) */
  readonly version: number;
  get(key: string): StateValue | undefined;
  /**
   * `spillable`: the operator does not hold this value itself between batches (a Top-N's partition
   * packs), so a store that spills (spillThreshold) may move it to its spill file once it is among
   * the least recently used; large byte arrays may spill whatever the flag.
   */
  put(key: string, value: StateValue, spillable?: boolean): void;
  delete(key: string): void;
  /** A value already stored becomes spillable, as if put so (an operator restoring its state); stores that do not spill need not have it. */
  markSpillable?(key: string): void;
  /** every live key, committed and uncommitted: in insertion order (in-memory stores) or key order (lmdb) */
  entries(): IterableIterator<[string, StateValue]>;
  readonly size: number;
  /** keys written or deleted since the last commit */
  readonly numUpdated: number;
  commit(version: number): Promise<void>;
  abort(): void;
  /** a rough estimate of the memory the state holds, for progress */
  memoryUsedBytes(): number;
  /** bytes of this operator's files on disk (checkpointing stores), for progress */
  stateSizeOnDisk?(): number;
  /** milliseconds the last commit() took (writing the delta), for progress */
  readonly lastCommitMs?: number;
  /**
   * Bytes of large values (a join's blocks of rows) the store keeps in memory before it moves the
   * oldest to a temporary file (live-entries.ts); an operator holding decoded copies of such values
   * keeps about as many. Undefined: everything stays in memory.
   */
  readonly spillThreshold?: number | undefined;
}

export interface StateStoreProvider {
  /** Open operator `operatorId`'s store at committed `version` (-1: empty). */
  open(operatorId: number, version: number): Promise<StateStore>;
  /**
   * The newest committed version at or below `atMost` that operator `operatorId`'s files can still
   * rebuild (-1: none, the empty state), when `open` at `atMost` failed because a file is damaged.
   * Stores that cannot go back to older versions do not have it.
   */
  newestLoadableVersion?(operatorId: number, atMost: number): Promise<number>;
  /**
   * Make `entries` operator `operatorId`'s whole state at committed `version`, whatever its files
   * held before (state re-split between tasks by key group: executor/parallel/state-split.ts). The
   * next `open(operatorId, version)` reads exactly these entries. Stores that cannot do it do not
   * have it (the re-split then replays the committed batches instead).
   */
  restate?(operatorId: number, version: number, entries: ReadonlyMap<string, StateValue>): Promise<void>;
  /** The provider need not keep operator `operatorId`'s store any more (one read for a re-split). */
  release?(operatorId: number): void;
  /** Wait for background work (snapshot compaction, old-file deletion) to finish. */
  maintenance?(): Promise<void>;
  /** Finish background work and release files and handles. */
  close?(): Promise<void>;
}
