import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { createStateProvider, parseStateBackend, stateProviderOptions } from '../../src/state/index.js';
import { FileStateStoreProvider } from '../../src/state/file-state-store.js';
import { LmdbStateStoreProvider } from '../../src/state/lmdb-state-store.js';
import { MemoryStateStoreProvider } from '../../src/state/memory-state-store.js';

describe("SET 'state.backend'", () => {
  it('accepts the backends and their Flink names', () => {
    expect(parseStateBackend('memory')).toBe('memory');
    expect(parseStateBackend('HashMap')).toBe('memory');
    expect(parseStateBackend('filesystem')).toBe('filesystem');
    expect(parseStateBackend(' lmdb ')).toBe('lmdb');
    expect(parseStateBackend('rocksdb')).toBe('lmdb');
  });

  it('refuses an unknown backend, listing the known ones', () => {
    const e = (() => { try { createStateProvider('redis', undefined); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(WeirError);
    expect((e as WeirError).code).toBe('OPTION');
    expect((e as WeirError).message).toBe("unknown state.backend 'redis': expected memory, filesystem, lmdb");
  });

  it('checkpoints the in-memory store when there is a checkpoint directory', () => {
    expect(createStateProvider('memory', undefined)).toBeInstanceOf(MemoryStateStoreProvider);
    expect(createStateProvider('memory', '/tmp/x/state')).toBeInstanceOf(FileStateStoreProvider);
    expect(createStateProvider('filesystem', '/tmp/x/state')).toBeInstanceOf(FileStateStoreProvider);
    expect(() => createStateProvider('filesystem', undefined)).toThrow(/give the query a checkpoint directory/);
    expect(createStateProvider('rocksdb', undefined)).toBeInstanceOf(LmdbStateStoreProvider);
  });

  it('reads retention and snapshot settings, refusing bad numbers', () => {
    expect(stateProviderOptions({ 'checkpoint.retain': '5', 'state.snapshot-interval': '3' })).toEqual({ retainVersions: 5, snapshotEvery: 3 });
    expect(stateProviderOptions(new Map([['state.cache-entries', '100']]))).toEqual({ cacheEntries: 100 });
    expect(() => stateProviderOptions({ 'checkpoint.retain': 'ten' })).toThrow(/'checkpoint.retain' must be a positive integer, got 'ten'/);
  });

  it('gives the same answers from every backend for the same changes', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-backend-'));
    try {
      for (const backend of ['memory', 'filesystem', 'lmdb']) {
        const p = createStateProvider(backend, path.join(dir, backend), { retainVersions: 2 });
        const s = await p.open(1, -1);
        s.put('a', [1, 'x']);
        s.put('b', [2, null]);
        await s.commit(0);
        s.delete('a');
        s.put('c', [3, [1.5]]);
        await s.commit(1);
        expect([...s.entries()].sort(), backend).toEqual([['b', [2, null]], ['c', [3, [1.5]]]]);
        expect(s.size).toBe(2);
        expect(s.memoryUsedBytes()).toBeGreaterThanOrEqual(0);
        await p.close?.();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['filesystem', 'lmdb'])('%s: restate makes a store exactly the given entries at a version, whatever it held', async (backend) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-restate-'));
    try {
      let p = createStateProvider(backend, dir, { retainVersions: 3, snapshotEvery: 2 });
      // an earlier life of the store: versions 0 to 6, beyond the version restated
      let s = await p.open(7, -1);
      for (let v = 0; v <= 6; v++) {
        s.put(`old${v}`, [v]);
        await s.commit(v);
      }
      await p.restate!(7, 4, new Map([['a', [1, 'x']], ['b', [2, [1.5, null]]]]));
      await p.close?.();
      // a new provider (the next run) reads exactly the entries at 4, and goes on from there
      p = createStateProvider(backend, dir, { retainVersions: 3, snapshotEvery: 2 });
      s = await p.open(7, 4);
      expect([...s.entries()].sort()).toEqual([['a', [1, 'x']], ['b', [2, [1.5, null]]]]);
      expect(s.size).toBe(2);
      s.delete('a');
      s.put('c', [3]);
      await s.commit(5);
      await p.close?.();
      p = createStateProvider(backend, dir, { retainVersions: 3, snapshotEvery: 2 });
      expect([...(await p.open(7, 5)).entries()].sort()).toEqual([['b', [2, [1.5, null]]], ['c', [3]]]);
      expect([...(await p.open(7, 4)).entries()].sort(), 'the restated version can still be opened').toEqual([['a', [1, 'x']], ['b', [2, [1.5, null]]]]);
      await p.close?.();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('filesystem: a store released after a read gives its spilled values back to the spill area', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-release-'));
    try {
      const p = new FileStateStoreProvider(dir, { spillThreshold: 1 });
      const s = await p.open(3, -1);
      for (let i = 0; i < 20; i++) s.put(`b${i}`, [new Uint8Array(100_000).fill(i)]);
      await s.commit(0);
      // a new provider (a re-split reads an old store): its values past the threshold spill on load
      const q = new FileStateStoreProvider(dir, { spillThreshold: 1 });
      const old = await q.open(3, 0);
      expect([...old.entries()].length).toBe(20);
      const area = (q as unknown as { spill: { liveBytes: number } }).spill;
      expect(area.liveBytes).toBeGreaterThanOrEqual(1_900_000);
      q.release(3);
      expect(area.liveBytes).toBe(0);
      await p.close();
      await q.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('lmdb: more stores than its databases allow is a STATE error saying what to change', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-dbs-'));
    try {
      // 7 databases: the meta one and three stores of two
      const p = new LmdbStateStoreProvider(dir, { maxDatabases: 7 });
      for (const id of [1, 2, 3]) await p.open(id, -1);
      const e = await p.open(4, -1).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(WeirError);
      expect((e as WeirError).code).toBe('STATE');
      expect((e as WeirError).message).toMatch(/holds at most 3 stores in one query's environment .*lower 'parallelism', or use state.backend 'filesystem'/);
      await p.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
