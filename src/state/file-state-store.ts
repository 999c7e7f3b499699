/**
 * The default checkpointing state store: state lives in a Map (reads and writes never touch the
 * disk), and commit(v) writes a delta file of just the keys changed in v, so the cost of a batch is
 * proportional to what it changed, not to the whole state. Every `snapshotEvery` versions a snapshot
 * is built in the background from the files (state-files.ts), and files no longer needed to rebuild
 * the last `retainVersions` versions are deleted.
 */
import * as path from 'node:path';
import { WeirError } from '../common/errors.js';
import { LiveEntries, type SpillPolicy } from './live-entries.js';
import { SpillArea } from './spill-area.js';
import { encodeEntry } from './state-codec.js';
import { OperatorFiles } from './state-files.js';
import type { StateStore, StateStoreProvider, StateValue } from './state-store.js';


export interface FileStateStoreOptions {
  /** versions that can still be opened (files older than that are deleted); default 100 */
  readonly retainVersions?: number;
  /** build a snapshot every this many versions; default 10 */
  readonly snapshotEvery?: number;
  /** bytes of large values (join blocks) a store keeps in memory, the rest in a temporary file; 0 (the default): all in memory */
  readonly spillThreshold?: number;
}

/** Entry lines joined into chunks of about a megabyte: one write per chunk, not per line. */
function* entryChunks(entries: Iterable<readonly [string, StateValue | undefined]>): Generator<string> {
  let lines: string[] = [];
  let len = 0;
  for (const [k, v] of entries) {
    const line = encodeEntry(k, v);
    lines.push(line);
    len += line.length;
    if (len >= 1 << 20) {
      yield lines.join('\n') + '\n';
      lines = [];
      len = 0;
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

export class FileStateStore implements StateStore {
  private readonly live: LiveEntries;
  lastCommitMs = 0;

  constructor(
    readonly operatorId: number,
    public version: number,
    entries: Map<string, StateValue>,
    private readonly files: OperatorFiles,
    private readonly options: Required<FileStateStoreOptions>,
    spill?: SpillPolicy,
  ) {
    this.live = new LiveEntries(entries, spill);
    if (spill) this.spillThreshold = spill.threshold;
  }

  readonly spillThreshold: number | undefined;

  get(key: string): StateValue | undefined {
    return this.live.get(key);
  }

  put(key: string, value: StateValue, spillable?: boolean): void {
    this.live.put(key, value, spillable);
  }

  delete(key: string): void {
    this.live.delete(key);
  }

  markSpillable(key: string): void {
    this.live.markSpillable(key);
  }

  entries(): IterableIterator<[string, StateValue]> {
    return this.live.entries();
  }

  get size(): number {
    return this.live.size;
  }

  get numUpdated(): number {
    return this.live.numUpdated;
  }

  /**
   * Make version `version` durable: write its delta, then queue a snapshot build (every
   * `snapshotEvery` versions) and the deletion of files past retention. A version at or below one
   * already on disk is a re-run of a batch that never committed: the files from that run go first.
   */
  async commit(version: number): Promise<void> {
    const t0 = performance.now();
    if (version <= this.version) throw new WeirError('STATE', `state of operator ${this.operatorId}: version ${version} is not after ${this.version}`);
    // a snapshot build that failed leaves the deltas, so nothing is lost, but a disk that cannot
    // take files must stop the query rather than be found out at recovery
    this.files.throwIfFailed();
    if (version <= this.files.highestVersion()) {
      await this.files.idle();
      await this.files.removeFrom(version);
    }
    // versions skipped (batches that did not commit this store) changed nothing: an empty delta
    // each keeps the chain from the last snapshot unbroken
    for (let v = this.version + 1; v < version; v++) await this.files.write('delta', v, 0, []);
    const changes = this.live.changes();
    await this.files.write('delta', version, this.live.numUpdated, entryChunks(changes));
    this.live.committed();
    this.version = version;
    const { snapshotEvery, retainVersions } = this.options;
    const files = this.files;
    if ((version + 1) % snapshotEvery === 0) files.enqueue(() => files.buildSnapshot(version));
    files.enqueue(() => files.purge(version, retainVersions));
    this.lastCommitMs = performance.now() - t0;
  }

  abort(): void {
    this.live.rollBack();
  }

  /** The provider lets the store go: its spilled values give their place in the spill area back (not to be used after). */
  dispose(): void {
    this.live.dispose();
  }

  memoryUsedBytes(): number {
    return this.live.memoryUsedBytes();
  }

  stateSizeOnDisk(): number {
    return this.files.bytesOnDisk();
  }

  /** Wait for this operator's background snapshot builds and deletions. */
  maintenance(): Promise<void> {
    return this.files.idle();
  }
}

/** Stores under `dir/<operatorId>/`; one provider per query run (it caches open operators' files). */
export class FileStateStoreProvider implements StateStoreProvider {
  private readonly files = new Map<number, OperatorFiles>();
  private readonly stores = new Map<number, FileStateStore>();
  private readonly options: Required<FileStateStoreOptions>;
  private readonly spill: SpillArea | undefined;

  constructor(readonly dir: string, options: FileStateStoreOptions = {}) {
    this.options = {
      retainVersions: options.retainVersions ?? 100,
      snapshotEvery: options.snapshotEvery ?? 10,
      spillThreshold: options.spillThreshold ?? 0,
    };
    for (const [k, v] of Object.entries(this.options)) {
      if (!Number.isInteger(v) || v < (k === 'spillThreshold' ? 0 : 1)) throw new WeirError('OPTION', `state ${k} must be a positive integer, got ${v}`);
    }
    this.spill = this.options.spillThreshold > 0 ? new SpillArea() : undefined;
  }

  private async operatorFiles(operatorId: number): Promise<OperatorFiles> {
    let f = this.files.get(operatorId);
    if (!f) {
      f = await OperatorFiles.open(path.join(this.dir, String(operatorId)), operatorId);
      this.files.set(operatorId, f);
    }
    return f;
  }

  /**
   * The state of committed `version`. A store this provider already has at that version is reused
   * (a restart within the process) after rolling back anything uncommitted; otherwise the state is
   * rebuilt from the newest snapshot at or below `version` and the deltas after it.
   */
  async open(operatorId: number, version: number): Promise<FileStateStore> {
    const existing = this.stores.get(operatorId);
    if (existing && existing.version === version) {
      existing.abort();
      return existing;
    }
    const files = await this.operatorFiles(operatorId);
    await files.idle();
    const live = await files.load(version);
    const store = new FileStateStore(operatorId, version, live, files, this.options,
      this.spill && { area: this.spill, threshold: this.options.spillThreshold });
    this.stores.set(operatorId, store);
    return store;
  }

  /**
   * Every file of the operator goes (they are another parallelism's, from an earlier run, or from a
   * re-split a kill cut short), then one snapshot at `version` holds `entries`.
   */
  async restate(operatorId: number, version: number, entries: ReadonlyMap<string, StateValue>): Promise<void> {
    const files = await this.operatorFiles(operatorId);
    await files.idle();
    this.stores.delete(operatorId);
    await files.removeFrom(0);
    await files.write('snapshot', version, entries.size, entryChunks(entries));
  }

  release(operatorId: number): void {
    this.stores.get(operatorId)?.dispose();
    this.stores.delete(operatorId);
  }

  async newestLoadableVersion(operatorId: number, atMost: number): Promise<number> {
    const files = await this.operatorFiles(operatorId);
    await files.idle().catch(() => undefined); // a failed background build changed no committed file
    return files.newestLoadable(atMost);
  }

  async maintenance(): Promise<void> {
    for (const f of this.files.values()) await f.idle();
  }

  async close(): Promise<void> {
    await this.maintenance();
    this.spill?.close();
  }
}
