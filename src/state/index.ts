/**
 * Choosing a query's state store (`SET 'state.backend' = '…'`):
 *
 *   memory (alias hashmap)        state in memory; with a checkpoint directory every version is
 *                                 written as a delta plus periodic snapshots (file-state-store.ts),
 *                                 without one it is kept in the process only
 *   filesystem                    the same checkpointing in-memory store, but a checkpoint is required
 *   lmdb (alias rocksdb)          state on disk in LMDB, for state larger than memory
 */
import { WeirError } from '../common/errors.js';
import { FileStateStoreProvider } from './file-state-store.js';
import { LmdbStateStoreProvider } from './lmdb-state-store.js';
import { MemoryStateStoreProvider } from './memory-state-store.js';
import type { StateStoreProvider } from './state-store.js';

export type StateBackend = 'memory' | 'filesystem' | 'lmdb';

export const STATE_BACKEND_SETTING = 'state.backend';
export const SPILL_THRESHOLD_SETTING = 'state.spill-threshold';

const ALIASES: Readonly<Record<string, StateBackend>> = {
  memory: 'memory',
  hashmap: 'memory',
  filesystem: 'filesystem',
  lmdb: 'lmdb',
  rocksdb: 'lmdb',
};

/** The backend a setting names (case-insensitive, Flink's names accepted). */
export function parseStateBackend(value: string): StateBackend {
  const b = ALIASES[value.trim().toLowerCase()];
  if (b === undefined) throw new WeirError('OPTION', `unknown ${STATE_BACKEND_SETTING} '${value}': expected memory, filesystem, lmdb`);
  return b;
}

export interface StateProviderOptions {
  /** versions of state kept openable (setting 'checkpoint.retain'); default 100 */
  readonly retainVersions?: number;
  /** memory/filesystem: snapshot every this many versions (setting 'state.snapshot-interval'); default 10 */
  readonly snapshotEvery?: number;
  /** lmdb: decoded values kept in memory per operator (setting 'state.cache-entries'); default 10 000 */
  readonly cacheEntries?: number;
  /**
   * memory/filesystem: bytes of large values (join blocks) each operator keeps in memory before the
   * oldest move to a temporary file (setting 'state.spill-threshold'); default DEFAULT_SPILL_THRESHOLD, 0: never
   */
  readonly spillThreshold?: number;
}

/**
 * 8 MiB: a regular join's rows and a Top-N's partitions past that wait in a temporary file, read
 * back when used. At 2 M Nexmark events 8 MiB against 32 MiB: q9 354 against 416-434 MB peak, q19
 * 313 against 380-401 MB, q20 270 against 306 MB, at 0.93-1.0 of the speed.
 */
export const DEFAULT_SPILL_THRESHOLD = 8 * 1024 * 1024;

/**
 * The provider for `backend` keeping files under `dir` (the checkpoint's `state` directory), or
 * undefined `dir` when the query has no checkpoint.
 */
export function createStateProvider(backend: StateBackend | string, dir: string | undefined, options: StateProviderOptions = {}): StateStoreProvider {
  const b = parseStateBackend(backend);
  const spill = options.spillThreshold ?? DEFAULT_SPILL_THRESHOLD;
  switch (b) {
    case 'memory':
      return dir === undefined ? new MemoryStateStoreProvider(spill) : new FileStateStoreProvider(dir, { ...options, spillThreshold: spill });
    case 'filesystem':
      if (dir === undefined) throw new WeirError('OPTION', `${STATE_BACKEND_SETTING} 'filesystem' keeps state in the checkpoint: give the query a checkpoint directory`);
      return new FileStateStoreProvider(dir, { ...options, spillThreshold: spill });
    case 'lmdb':
      return new LmdbStateStoreProvider(dir, options);
  }
}

/** Read the provider options from settings (SET 'key' = 'value'); bad numbers are OPTION errors. */
export function stateProviderOptions(settings: ReadonlyMap<string, string> | Readonly<Record<string, string>>): StateProviderOptions {
  const get = (k: string): string | undefined => (settings instanceof Map ? settings.get(k) : (settings as Record<string, string>)[k]);
  const int = (k: string): number | undefined => {
    const v = get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new WeirError('OPTION', `'${k}' must be a positive integer, got '${v}'`);
    return n;
  };
  const retainVersions = int('checkpoint.retain');
  const snapshotEvery = int('state.snapshot-interval');
  const cacheEntries = int('state.cache-entries');
  const spillText = get(SPILL_THRESHOLD_SETTING);
  let spillThreshold: number | undefined;
  if (spillText !== undefined) {
    spillThreshold = Number(spillText);
    if (!Number.isInteger(spillThreshold) || spillThreshold < 0) {
      throw new WeirError('OPTION', `'${SPILL_THRESHOLD_SETTING}' must be a whole number of bytes (0: never spill), got '${spillText}'`);
    }
  }
  return {
    ...(spillThreshold !== undefined ? { spillThreshold } : {}),
    ...(retainVersions !== undefined ? { retainVersions } : {}),
    ...(snapshotEvery !== undefined ? { snapshotEvery } : {}),
    ...(cacheEntries !== undefined ? { cacheEntries } : {}),
  };
}

export { Checkpoint, DEFAULT_RETAIN, decodeWatermark, encodeWatermark } from './checkpoint/checkpoint.js';
export type { BatchCommit, BatchOffsets, CheckpointOptions, RecoveryPoint } from './checkpoint/checkpoint.js';
export type { OperatorFingerprint, QueryFingerprint } from './checkpoint/fingerprint.js';
export { FileStateStoreProvider } from './file-state-store.js';
export { LmdbStateStoreProvider } from './lmdb-state-store.js';
export { MemoryStateStoreProvider } from './memory-state-store.js';
export type { StateStore, StateStoreProvider, StateValue } from './state-store.js';
