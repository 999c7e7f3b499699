/**
 * The disk-backed state store, for state larger than memory: keys and values live in an LMDB
 * environment (one memory-mapped file, `state.mdb` in the state directory, shared by a query's
 * operators); the JS heap holds only the current batch's uncommitted writes and a small bounded
 * cache of values read.
 *
 * Versions: each operator's database holds the newest committed version of its state. commit(v)
 * applies v's changes in one LMDB transaction that also records, per changed key, the value it had
 * before v (an undo log keyed [v, key]) and the operator's version marker. Opening at an older
 * version v (the checkpoint's last commit, when the process died after the store committed v+1 but
 * before `commits/v+1` was written) rolls the newer versions back from the undo log, newest first.
 * Undo entries are kept for the last `retainVersions` versions.
 *
 * Keys are stored as their UTF-8 bytes (keys are binary to LMDB: its default ordered encoding does
 * not round-trip every string inside an array key), so entries() lists keys in byte order, not
 * insertion order. A key too long for LMDB's key limit, not valid UTF-16 (a lone surrogate), or empty
 * (LMDB has no zero-length keys) is stored under 0xFF + its SHA-256 (0xFF never occurs in UTF-8),
 * with the key kept in the record.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
// loaded on first use: the native binding is only needed by queries that ask for this store
import type { Database, RootDatabase } from 'lmdb';
import { WeirError } from '../common/errors.js';
import type { StateStore, StateStoreProvider, StateValue } from './state-store.js';

/** msgpackr options for the stores' values (lmdb builds its encoder from them; not in lmdb's types). */
const VALUE_ENCODER: object = { encoder: { useBigIntExtension: true } };

type DbKey = Buffer;
/**
 * a stored record: the value; or an object of the value (`v`), for a hashed key the key (`k`), and
 * for a value holding -0 the places of its -0s (`z`: msgpack writes -0 as the integer 0)
 */
type StoredRecord = StateValue | { readonly k?: Uint8Array; readonly v: StateValue; readonly z?: readonly Place[] };
/** where a -0 is in a value: array indices and object keys from the top */
type Place = readonly (number | string)[];
/** undo log value: the record before the version, or 0 when the key did not exist */
type UndoValue = StoredRecord | 0;
type MetaKey = [number, 'version' | 'count' | 'undoFrom'];
/** undo log key: the version (8 bytes, big-endian, so one version's entries are one range) + DbKey */
type UndoKey = Buffer;

const DELETED = Symbol('deleted');
const MISSING = Symbol('missing');
const MAX_PLAIN_KEY_BYTES = 1000;
/** LMDB's limit on named databases in the environment (each store has two, plus the meta one) */
const MAX_DATABASES = 4096;
const ENTRY_OVERHEAD = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const SURROGATE = /[\uD800-\uDFFF]/;

function dbKeyOf(key: string): DbKey {
  // LMDB refuses a zero-length key: the empty key (an aggregation without GROUP BY keys) is hashed
  if (key.length > 0 && (key.length * 3 <= MAX_PLAIN_KEY_BYTES || Buffer.byteLength(key) <= MAX_PLAIN_KEY_BYTES)) {
    if (!SURROGATE.test(key) || !LONE_SURROGATE.test(key)) return Buffer.from(key, 'utf8');
  }
  return Buffer.concat([Buffer.from([0xff]), createHash('sha256').update(key, 'utf16le').digest()]);
}

const isHashed = (k: DbKey): boolean => k[0] === 0xff;

function recordOf(key: string, dbKey: DbKey, value: StateValue): StoredRecord {
  const z: Place[] = [];
  negativeZeros(value, [], z);
  // the key in a hashed record is UTF-16 bytes: the value encoding (msgpack, UTF-8) would lose a lone surrogate
  const k = isHashed(dbKey) ? { k: Buffer.from(key, 'utf16le') } : {};
  return z.length === 0 && !isHashed(dbKey) ? value : { ...k, v: value, ...(z.length > 0 ? { z } : {}) };
}

/** The places of the -0s in `v` (arrays and plain objects walked; typed arrays keep their bytes). */
function negativeZeros(v: unknown, at: (number | string)[], out: Place[]): void {
  if (typeof v === 'number') {
    if (Object.is(v, -0)) out.push([...at]);
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      at.push(i);
      negativeZeros(v[i], at, out);
      at.pop();
    }
  } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) {
      at.push(k);
      negativeZeros(x, at, out);
      at.pop();
    }
  }
}

const hashedKey = (rec: { readonly k?: Uint8Array }): string => Buffer.from(rec.k!.buffer, rec.k!.byteOffset, rec.k!.byteLength).toString('utf16le');

function valueOf(key: string, rec: StoredRecord | undefined): StateValue | undefined {
  if (rec === undefined) return undefined;
  if (Array.isArray(rec)) return rec as StateValue;
  const r = rec as Exclude<StoredRecord, StateValue>;
  if (r.k !== undefined && hashedKey(r) !== key) return undefined;
  // (a value read from the database is a fresh copy: its zeros are set back in place)
  for (const place of r.z ?? []) {
    let o = r.v as unknown as Record<number | string, unknown>;
    for (let i = 0; i < place.length - 1; i++) o = o[place[i]!] as Record<number | string, unknown>;
    o[place[place.length - 1]!] = -0;
  }
  return r.v;
}

const keyOfRecord = (dbKey: DbKey, rec: StoredRecord): string => (Array.isArray(rec) || (rec as { k?: Uint8Array }).k === undefined ? dbKey.toString('utf8') : hashedKey(rec as { k: Uint8Array }));

function versionPrefix(version: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(version));
  return b;
}

const undoKey = (version: number, k: DbKey): UndoKey => Buffer.concat([versionPrefix(version), k]);

export interface LmdbStateStoreOptions {
  /** versions that can still be opened (undo log entries older than that are deleted); default 100 */
  readonly retainVersions?: number;
  /** how many committed values to keep decoded in memory, per operator; default 10 000 */
  readonly cacheEntries?: number;
  /** LMDB's limit on named databases in the environment (two per store); default MAX_DATABASES */
  readonly maxDatabases?: number;
}

export class LmdbStateStore implements StateStore {
  /** this version's writes, not yet in LMDB */
  private readonly pending = new Map<string, StateValue | typeof DELETED>();
  /** committed values recently read (least recently used first) */
  private readonly cache = new Map<string, StateValue | typeof MISSING>();
  lastCommitMs = 0;

  constructor(
    readonly operatorId: number,
    public version: number,
    private committedCount: number,
    private readonly root: RootDatabase,
    private readonly data: Database<StoredRecord, DbKey>,
    private readonly undo: Database<UndoValue, UndoKey>,
    private readonly meta: Database<number, MetaKey>,
    private readonly options: Required<LmdbStateStoreOptions>,
  ) {}

  /** The committed value of `key` (ignoring this version's writes). */
  private committed(key: string): StateValue | undefined {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit === MISSING ? undefined : hit;
    }
    const v = valueOf(key, this.data.get(dbKeyOf(key)));
    this.remember(key, v);
    return v;
  }

  private remember(key: string, v: StateValue | undefined): void {
    if (this.options.cacheEntries <= 0) return;
    this.cache.set(key, v ?? MISSING);
    if (this.cache.size > this.options.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  /** how many values the cache holds (bounded by cacheEntries) */
  get cachedEntries(): number {
    return this.cache.size;
  }

  get(key: string): StateValue | undefined {
    const p = this.pending.get(key);
    if (p !== undefined) return p === DELETED ? undefined : p;
    return this.committed(key);
  }

  // put does not read the old value: a batch that writes many keys not in the cache would pay a
  // disk read for each; the count of live keys is worked out when asked (size) and at commit
  put(key: string, value: StateValue): void {
    this.pending.set(key, value);
  }

  delete(key: string): void {
    if (this.get(key) === undefined) return;
    this.pending.set(key, DELETED);
  }

  *entries(): IterableIterator<[string, StateValue]> {
    const pending = this.pending;
    for (const { key, value } of this.data.getRange({})) {
      const k = keyOfRecord(key, value);
      const p = pending.get(k);
      if (p === undefined) yield [k, valueOf(k, value)!];
      else if (p !== DELETED) yield [k, p];
    }
    for (const [k, p] of pending) {
      if (p !== DELETED && this.committed(k) === undefined) yield [k, p];
    }
  }

  get size(): number {
    let n = this.committedCount;
    for (const [k, p] of this.pending) n += (p === DELETED ? 0 : 1) - (this.committed(k) === undefined ? 0 : 1);
    return n;
  }

  get numUpdated(): number {
    return this.pending.size;
  }

  /** Write version `version`'s changes, their undo records and the version marker in one transaction. */
  async commit(version: number): Promise<void> {
    const t0 = performance.now();
    if (version <= this.version) throw new WeirError('STATE', `state of operator ${this.operatorId}: version ${version} is not after ${this.version}`);
    const { data, undo, meta, operatorId: op } = this;
    const from = this.version;
    let count = this.committedCount;
    const changes = [...this.pending];
    const dropBelow = version - this.options.retainVersions + 1;
    await this.root.transaction(() => {
      const marker = meta.get([op, 'version']) ?? -1;
      if (marker !== from) throw new WeirError('STATE', `state of operator ${op} changed on disk: at version ${marker}, expected ${from} (is another query using this checkpoint?)`);
      for (const [key, v] of changes) {
        const k = dbKeyOf(key);
        const prev = data.get(k);
        undo.putSync(undoKey(version, k), prev === undefined ? 0 : prev);
        count += (v === DELETED ? 0 : 1) - (prev === undefined ? 0 : 1);
        if (v === DELETED) data.removeSync(k);
        else data.putSync(k, recordOf(key, k, v));
      }
      const undoFrom = meta.get([op, 'undoFrom']) ?? 0;
      if (dropBelow > undoFrom) {
        for (const key of [...undo.getKeys({ start: versionPrefix(undoFrom), end: versionPrefix(dropBelow) })]) undo.removeSync(key);
        meta.putSync([op, 'undoFrom'], dropBelow);
      }
      meta.putSync([op, 'version'], version);
      meta.putSync([op, 'count'], count);
    });
    for (const [key, v] of changes) {
      if (this.cache.has(key)) this.cache.set(key, v === DELETED ? MISSING : v);
    }
    this.pending.clear();
    this.committedCount = count;
    this.version = version;
    this.lastCommitMs = performance.now() - t0;
  }

  abort(): void {
    this.pending.clear();
  }

  memoryUsedBytes(): number {
    let bytes = 0;
    for (const k of this.pending.keys()) bytes += k.length * 2 + ENTRY_OVERHEAD;
    for (const k of this.cache.keys()) bytes += k.length * 2 + ENTRY_OVERHEAD;
    return bytes;
  }

  stateSizeOnDisk(): number {
    return pagesBytes(this.data) + pagesBytes(this.undo);
  }
}

function pagesBytes(db: { getStats(): object }): number {
  const s = db.getStats() as { pageSize?: number; treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
  return (s.pageSize ?? 0) * ((s.treeBranchPageCount ?? 0) + (s.treeLeafPageCount ?? 0) + (s.overflowPages ?? 0));
}

/**
 * Opens operators' stores in one LMDB environment at `dir/state.mdb`. Without a directory (no
 * checkpoint) the environment goes in a temporary directory deleted by close().
 */
export class LmdbStateStoreProvider implements StateStoreProvider {
  private root: RootDatabase | undefined;
  private meta: Database<number, MetaKey> | undefined;
  private tempDir: string | undefined;
  private readonly options: Required<LmdbStateStoreOptions>;

  constructor(readonly dir: string | undefined, options: LmdbStateStoreOptions = {}) {
    this.options = { retainVersions: options.retainVersions ?? 100, cacheEntries: options.cacheEntries ?? 10_000, maxDatabases: options.maxDatabases ?? MAX_DATABASES };
    if (!Number.isInteger(this.options.retainVersions) || this.options.retainVersions < 1) {
      throw new WeirError('OPTION', `state retainVersions must be a positive integer, got ${this.options.retainVersions}`);
    }
  }

  private async env(): Promise<{ root: RootDatabase; meta: Database<number, MetaKey> }> {
    if (!this.root || !this.meta) {
      let dir = this.dir;
      if (dir === undefined) dir = this.tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-state-'));
      await fs.mkdir(dir, { recursive: true });
      const { open: openLmdb } = await import('lmdb');
      // two databases per store: a re-split between parallelisms opens the old tasks' and the new
      // tasks' at once (16 → 32 tasks of three operators needed 289 when this was 254)
      this.root = openLmdb({ path: path.join(dir, 'state.mdb'), maxDbs: this.options.maxDatabases, compression: false });
      this.meta = this.root.openDB<number, MetaKey>({ name: 'meta' });
    }
    return { root: this.root, meta: this.meta };
  }

  private async databases(operatorId: number): Promise<{ root: RootDatabase; meta: Database<number, MetaKey>; data: Database<StoredRecord, DbKey>; undo: Database<UndoValue, UndoKey> }> {
    const { root, meta } = await this.env();
    // useBigIntExtension: a bigint beyond 64 bits (a DECIMAL(38) SUM state) is stored exactly; msgpack's
    // own integers stop at 64 bits and msgpackr refuses it otherwise
    try {
      const data = root.openDB<StoredRecord, DbKey>({ name: `op${operatorId}`, keyEncoding: 'binary', ...VALUE_ENCODER });
      const undo = root.openDB<UndoValue, UndoKey>({ name: `op${operatorId}.undo`, keyEncoding: 'binary', ...VALUE_ENCODER });
      return { root, meta, data, undo };
    } catch (e) {
      if (!/MDB_DBS_FULL/.test(String((e as Error)?.message))) throw e;
      // a STATE error: a re-split between parallelisms (which opens the old and the new tasks' stores) then replays instead
      throw new WeirError('STATE', `state.backend 'lmdb' holds at most ${Math.floor((this.options.maxDatabases - 1) / 2)} stores in one query's `
        + `environment (two LMDB databases each: tasks × stateful operators, and during a change of parallelism the old tasks' too); `
        + `lower 'parallelism', or use state.backend 'filesystem'`);
    }
  }

  /** The store of `operatorId` at committed `version`, rolling back any newer version on disk. */
  async open(operatorId: number, version: number): Promise<LmdbStateStore> {
    const { root, meta, data, undo } = await this.databases(operatorId);
    const op = operatorId;
    if (version === -1) {
      // a fresh start: whatever an earlier run left is not part of any committed state
      await root.transaction(() => {
        data.clearSync();
        undo.clearSync();
        meta.putSync([op, 'version'], -1);
        meta.putSync([op, 'count'], 0);
        meta.putSync([op, 'undoFrom'], 0);
      });
    } else {
      await root.transaction(() => rollBack(op, version, data, undo, meta));
    }
    const count = meta.get([op, 'count']) ?? 0;
    return new LmdbStateStore(operatorId, version, count, root, data, undo, meta, this.options);
  }

  /**
   * In one transaction: the operator's data and undo log cleared, `entries` written, its version
   * marker set to `version` (with nothing to roll back below it).
   */
  async restate(operatorId: number, version: number, entries: ReadonlyMap<string, StateValue>): Promise<void> {
    const { root, meta, data, undo } = await this.databases(operatorId);
    await root.transaction(() => {
      data.clearSync();
      undo.clearSync();
      for (const [key, v] of entries) {
        const k = dbKeyOf(key);
        data.putSync(k, recordOf(key, k, v));
      }
      meta.putSync([operatorId, 'version'], version);
      meta.putSync([operatorId, 'count'], entries.size);
      meta.putSync([operatorId, 'undoFrom'], version + 1);
    });
  }

  async maintenance(): Promise<void> {
    await this.root?.flushed;
  }

  async close(): Promise<void> {
    if (this.root) await this.root.close();
    this.root = undefined;
    this.meta = undefined;
    if (this.tempDir) await fs.rm(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }
}

/** Inside a write transaction: undo versions above `version`, newest first. */
function rollBack(
  op: number,
  version: number,
  data: Database<StoredRecord, DbKey>,
  undo: Database<UndoValue, UndoKey>,
  meta: Database<number, MetaKey>,
): void {
  const current = meta.get([op, 'version']) ?? -1;
  if (current === version) return;
  if (current < version) {
    throw new WeirError('STATE', `the state of operator ${op} is at version ${current}, but the checkpoint needs version ${version}: the state store files were lost or belong to another checkpoint`);
  }
  const undoFrom = meta.get([op, 'undoFrom']) ?? 0;
  if (version + 1 < undoFrom) {
    throw new WeirError('STATE', `the state of operator ${op} cannot go back to version ${version}: only versions from ${undoFrom - 1} are kept`);
  }
  let count = meta.get([op, 'count']) ?? 0;
  for (let v = current; v > version; v--) {
    // collected first: the loop deletes the entries it reads
    for (const { key, value } of [...undo.getRange({ start: versionPrefix(v), end: versionPrefix(v + 1) })]) {
      const k = key.subarray(8);
      const existsNow = data.get(k) !== undefined;
      if (value === 0) data.removeSync(k);
      else data.putSync(k, value);
      count += (value === 0 ? 0 : 1) - (existsNow ? 1 : 0);
      undo.removeSync(key);
    }
  }
  meta.putSync([op, 'version'], version);
  meta.putSync([op, 'count'], count);
}
