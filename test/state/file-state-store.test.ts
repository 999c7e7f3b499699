import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { FileStateStoreProvider } from '../../src/state/file-state-store.js';
import { decodeJson, encodeJson } from '../../src/state/state-codec.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-fstate-')); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

const files = async (op = 1): Promise<string[]> =>
  (await fs.readdir(path.join(dir, String(op)))).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
const size = async (name: string, op = 1): Promise<number> => (await fs.stat(path.join(dir, String(op), name))).size;
const sorted = (it: Iterable<[string, readonly unknown[]]>) => [...it].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

describe('FileStateStore', () => {
  it('writes a delta of only the changed keys: 1% of 100k keys costs about 1% of the snapshot', async () => {
    const p = new FileStateStoreProvider(dir, { snapshotEvery: 2 });
    const s = await p.open(1, -1);
    for (let i = 0; i < 100_000; i++) s.put(`key-${i}`, [i, `value-${i}`, i * 1.5]);
    await s.commit(0);
    for (let i = 0; i < 1_000; i++) s.put(`key-${i * 100}`, [i, 'changed', 0]);
    await s.commit(1); // (1 + 1) % 2 === 0: snapshot 1 is built in the background
    await p.maintenance();
    const full = await size('1.snapshot');
    const delta = await size('1.delta');
    expect(delta / full).toBeGreaterThan(0.005);
    expect(delta / full).toBeLessThan(0.015);
    expect(s.stateSizeOnDisk()).toBe((await size('0.delta')) + delta + full);
    expect(s.lastCommitMs).toBeGreaterThan(0);
  });

  it('rebuilds from snapshot plus deltas exactly the live state', async () => {
    const p = new FileStateStoreProvider(dir, { snapshotEvery: 3 });
    const s = await p.open(7, -1);
    for (let v = 0; v < 8; v++) {
      for (let i = 0; i < 50; i++) {
        const k = `k${(i * 7 + v * 13) % 97}`;
        if ((i + v) % 5 === 0) s.delete(k);
        else s.put(k, [v, i, { nested: [v] }]);
      }
      await s.commit(v);
    }
    await p.maintenance();
    expect(await files(7)).toContain('5.snapshot');
    const reopened = await new FileStateStoreProvider(dir).open(7, 7);
    expect(sorted(reopened.entries())).toEqual(sorted(s.entries()));
    expect(reopened.size).toBe(s.size);
    expect(reopened.version).toBe(7);
  });

  it('opens at the committed version, ignoring newer files of a batch that never committed', async () => {
    const p = new FileStateStoreProvider(dir);
    const s = await p.open(1, -1);
    s.put('a', [1]);
    await s.commit(0);
    s.put('a', [2]);
    s.put('b', [2]);
    await s.commit(1); // the store committed 1, but say commits/1 was never written
    await p.maintenance();
    await fs.writeFile(path.join(dir, '1', '2.delta'), '{"weir":"state","kind":"delta","version":2,"entries":5}\n["a",[3');
    const after = await new FileStateStoreProvider(dir).open(1, 0);
    expect(sorted(after.entries())).toEqual([['a', [1]]]);
    // the re-run of batch 1 writes version 1 again and removes the stale files
    after.put('c', [9]);
    await after.commit(1);
    expect(await files()).toEqual(['0.delta', '1.delta']);
    const again = await new FileStateStoreProvider(dir).open(1, 1);
    expect(sorted(again.entries())).toEqual([['a', [1]], ['c', [9]]]);
  });

  it('reuses a store already open at the version, rolling back what was not committed', async () => {
    const p = new FileStateStoreProvider(dir);
    const s = await p.open(1, -1);
    s.put('a', [1]);
    await s.commit(0);
    s.put('a', [2]);
    s.delete('a');
    s.put('b', [5]);
    const same = await p.open(1, 0);
    expect(same).toBe(s);
    expect(sorted(same.entries())).toEqual([['a', [1]]]);
  });

  it('refuses to open a version whose files are gone or torn, saying which', async () => {
    const p = new FileStateStoreProvider(dir);
    const s = await p.open(2, -1);
    for (let v = 0; v < 3; v++) { s.put(`k${v}`, [v]); await s.commit(v); }
    await fs.writeFile(path.join(dir, '2', '1.delta'), '{"weir":"state","kind":"delta","version":1,"entries":1}\n');
    const e = await new FileStateStoreProvider(dir).open(2, 2).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WeirError);
    expect((e as WeirError).code).toBe('STATE');
    expect((e as WeirError).message).toContain('1.delta is unreadable');
    await fs.rm(path.join(dir, '2', '1.delta'));
    await expect(new FileStateStoreProvider(dir).open(2, 2)).rejects.toThrow(/1\.delta is missing/);
  });

  it('falls back to an older snapshot when the newest is cut off', async () => {
    const p = new FileStateStoreProvider(dir, { snapshotEvery: 2 });
    const s = await p.open(1, -1);
    for (let v = 0; v < 6; v++) { s.put(`k${v}`, [v]); s.delete(`k${v - 2}`); await s.commit(v); }
    await p.maintenance();
    expect(await files()).toContain('5.snapshot');
    await fs.truncate(path.join(dir, '1', '5.snapshot'), 60);
    const r = await new FileStateStoreProvider(dir).open(1, 5);
    expect(sorted(r.entries())).toEqual([['k4', [4]], ['k5', [5]]]);
  });

  it('deletes files no longer needed for the retained versions', async () => {
    const p = new FileStateStoreProvider(dir, { snapshotEvery: 5, retainVersions: 8 });
    const s = await p.open(1, -1);
    for (let v = 0; v < 30; v++) { s.put(`k${v % 4}`, [v]); await s.commit(v); }
    await p.maintenance();
    // oldest retained version: 22; kept: the base snapshot 19 (the newest at or below 22) and
    // every file after it
    expect(await files()).toEqual([
      '19.snapshot', '20.delta', '21.delta', '22.delta', '23.delta', '24.delta', '24.snapshot', '25.delta',
      '26.delta', '27.delta', '28.delta', '29.delta', '29.snapshot',
    ]);
    for (const v of [22, 24, 27, 29]) {
      const r = await new FileStateStoreProvider(dir).open(1, v);
      expect(r.get(`k${v % 4}`)).toEqual([v]);
    }
  });

  it('builds snapshots from the files, not from live memory', async () => {
    const p = new FileStateStoreProvider(dir, { snapshotEvery: 2 });
    const s = await p.open(1, -1);
    s.put('a', [1]);
    await s.commit(0);
    s.put('b', [2]);
    await s.commit(1);
    // an uncommitted change in memory while the snapshot is being built must not get into it
    s.put('c', [3]);
    await p.maintenance();
    const text = await fs.readFile(path.join(dir, '1', '1.snapshot'), 'utf8');
    const lines = text.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['{"weir":"state","kind":"snapshot","version":1,"entries":2,"sum":"trailer"}', '["a",[1]]', '["b",[2]]']);
    // then only the checksum trailer: 'c' is not there
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toMatchObject({ weir: 'end' });
  });

  it('keeps values plain JSON would lose', async () => {
    const p = new FileStateStoreProvider(dir);
    const s = await p.open(1, -1);
    const value = [NaN, Infinity, -Infinity, -0, 12345678901234567890n, undefined, null, new Uint8Array([1, 2]), { $: 'x', a: [1] }, 'text',
      new Map<unknown, unknown>([[1, 2], ['1', 3], [NaN, new Map([['x', -0]])]])];
    s.put('k\n"quoted"', value);
    await s.commit(0);
    const r = await new FileStateStoreProvider(dir).open(1, 0);
    expect(r.get('k\n"quoted"')).toEqual(value);
    expect(Object.is((r.get('k\n"quoted"') as unknown[])[3], -0)).toBe(true);
    expect(decodeJson(encodeJson({ $: { $: 1 } }))).toEqual({ $: { $: 1 } });
  });

  it('bridges skipped versions and ignores what a crash left half-written', async () => {
    const p = new FileStateStoreProvider(dir);
    const s = await p.open(1, -1);
    s.put('a', [1]);
    await s.commit(0);
    s.put('b', [2]);
    await s.commit(3);
    await fs.writeFile(path.join(dir, '1', '.4.snapshot.tmp-abc123'), '{"weir":"state","kind":"snap');
    const r = await new FileStateStoreProvider(dir).open(1, 3);
    expect(sorted(r.entries())).toEqual([['a', [1]], ['b', [2]]]);
    expect(await files()).toEqual(['0.delta', '1.delta', '2.delta', '3.delta']);
    expect((await new FileStateStoreProvider(dir).open(1, 2)).get('b')).toBeUndefined();
  });

  it('refuses to commit a version that is not after the current one', async () => {
    const s = await new FileStateStoreProvider(dir).open(1, -1);
    await s.commit(0);
    await expect(s.commit(0)).rejects.toMatchObject({ code: 'STATE' });
  });
});
