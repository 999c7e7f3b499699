import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { LmdbStateStoreProvider } from '../../src/state/lmdb-state-store.js';

let dir: string;
const providers: LmdbStateStoreProvider[] = [];
const provider = (opts: ConstructorParameters<typeof LmdbStateStoreProvider>[1] = {}, withDir = true) => {
  const p = new LmdbStateStoreProvider(withDir ? dir : undefined, opts);
  providers.push(p);
  return p;
};
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-lmdb-')); });
afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** The process's anonymous resident memory (Linux), excluding mapped files. */
async function rssAnon(): Promise<number | undefined> {
  const status = await fs.readFile('/proc/self/status', 'utf8').catch(() => undefined);
  const m = status && /^RssAnon:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

const sorted = (it: Iterable<[string, readonly unknown[]]>) => [...it].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

describe('LmdbStateStore', () => {
  it('rolls back versions the checkpoint never recorded, newest first', async () => {
    const p = provider();
    const s = await p.open(1, -1);
    s.put('a', [0]);
    await s.commit(0);
    s.put('a', [1]);
    s.put('b', [1]);
    await s.commit(1);
    s.delete('a');
    s.put('b', [2]);
    s.put('c', [2]);
    await s.commit(2);
    await p.close();
    const back = await provider().open(1, 0);
    expect(back.version).toBe(0);
    expect(sorted(back.entries())).toEqual([['a', [0]]]);
    expect(back.size).toBe(1);
    // and the store goes on from there
    back.put('d', [9]);
    await back.commit(1);
    expect(sorted((await provider().open(1, 1)).entries())).toEqual([['a', [0]], ['d', [9]]]);
  });

  it('keeps bigints beyond 64 bits exactly (a DECIMAL(38) SUM state)', async () => {
    const p = provider();
    const s = await p.open(1, -1);
    const big = [10n ** 37n * 9n + 123n, -(2n ** 100n), 2n ** 63n - 1n, 5n];
    s.put('sum', [big, 3]);
    await s.commit(0);
    await p.close();
    const back = await provider().open(1, 0);
    expect(sorted(back.entries())).toEqual([['sum', [big, 3]]]);
  });

  it('keeps -0 (msgpack writes it as the integer 0), nested and under a hashed key, through a rollback too', async () => {
    const p = provider();
    const s = await p.open(1, -1);
    const long = 'k'.repeat(2000); // hashed: stored with its key beside the value
    s.put('a', [-0, 0, [1, -0], { m: -0 }, new Uint8Array([1])]);
    s.put(long, [-0]);
    await s.commit(0);
    s.put('a', [5]);
    await s.commit(1);
    await p.close();
    const back = await provider().open(1, 0);
    const got = new Map(back.entries());
    const a = got.get('a')!;
    expect(Object.is(a[0], -0)).toBe(true);
    expect(Object.is(a[1], 0)).toBe(true);
    expect(Object.is((a[2] as number[])[1], -0)).toBe(true);
    expect(Object.is((a[3] as { m: number }).m, -0)).toBe(true);
    expect([...(a[4] as Uint8Array)]).toEqual([1]);
    expect(Object.is(back.get(long)![0], -0)).toBe(true);
  });

  it('refuses versions it cannot give: newer than on disk, or older than retained', async () => {
    const p = provider({ retainVersions: 2 });
    const s = await p.open(1, -1);
    for (let v = 0; v < 5; v++) { s.put('k', [v]); await s.commit(v); }
    await expect(p.open(1, 7)).rejects.toThrow(/at version 4, but the checkpoint needs version 7/);
    const e = await p.open(1, 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WeirError);
    expect((e as WeirError).message).toMatch(/cannot go back to version 1: only versions from 2 are kept/);
    expect((await p.open(1, 3)).get('k')).toEqual([3]);
  });

  it('starts empty at version -1 whatever an earlier run left', async () => {
    const p = provider();
    const s = await p.open(2, -1);
    s.put('a', [1]);
    await s.commit(0);
    const fresh = await p.open(2, -1);
    expect([...fresh.entries()]).toEqual([]);
    expect(fresh.size).toBe(0);
    expect(fresh.get('a')).toBeUndefined();
  });

  it('sees this version\'s writes in get and entries before commit, and forgets them on abort', async () => {
    const s = await provider().open(1, -1);
    s.put('a', [1]);
    s.put('b', [1]);
    await s.commit(0);
    s.delete('a');
    s.put('c', [3]);
    s.put('b', [2]);
    expect(s.get('a')).toBeUndefined();
    expect(sorted(s.entries())).toEqual([['b', [2]], ['c', [3]]]);
    expect(s.size).toBe(2);
    expect(s.numUpdated).toBe(3);
    s.abort();
    expect(sorted(s.entries())).toEqual([['a', [1]], ['b', [1]]]);
    expect(s.numUpdated).toBe(0);
  });

  it('keeps its environment in a temporary directory without a checkpoint, removed on close', async () => {
    const p = provider({}, false);
    const s = await p.open(1, -1);
    s.put('a', [1]);
    await s.commit(0);
    const tmp = (p as unknown as { tempDir: string }).tempDir;
    expect((await fs.readdir(tmp)).some((n) => n.startsWith('state.mdb'))).toBe(true);
    await p.close();
    await expect(fs.stat(tmp)).rejects.toThrow();
  });

  it('holds state far larger than its memory budget: 200k keys of 1 KB', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const p = provider({ cacheEntries: 1_000 });
    const s = await p.open(1, -1);
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    const filler = 'v'.repeat(1_000);
    const N = 200_000;
    const STEP = 20_000;
    let version = -1;
    // the process's own (anonymous) memory after each commit from the third on: LMDB's write
    // buffers and the allocator settle at a fixed size in the first batches, and from there on
    // memory must not grow with the state. Taken before the reads below, whose decoded strings V8
    // may keep heap pages for after they are collected (that is not state).
    const anon: number[] = [];
    for (let i = 0; i < N; i++) {
      s.put(`key-${i}`, [i, `${i}:${filler}`]);
      if (i % STEP === STEP - 1) {
        await s.commit(++version);
        if (i >= 3 * STEP - 1) { gc(); const a = await rssAnon(); if (a !== undefined) anon.push(a); }
      }
    }
    for (let i = 0; i < 50_000; i++) expect(s.get(`key-${(i * 7919) % N}`)![0]).toBe((i * 7919) % N);
    let n = 0;
    for (const [, v] of s.entries()) if ((v[1] as string).length > 1_000) n++;
    expect(n).toBe(N);
    expect(s.size).toBe(N);
    expect(s.cachedEntries).toBeLessThanOrEqual(1_000);
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heap0;
    const dataBytes = N * 1_000;
    expect(heapGrowth).toBeLessThan(dataBytes / 10);
    expect(s.stateSizeOnDisk()).toBeGreaterThan(dataBytes);
    expect(s.memoryUsedBytes()).toBeLessThan(1_000 * 200);
    // the memory-mapped file's pages count in RSS but are file pages the kernel can drop; the
    // process's own (anonymous) memory is what must stay small, where the platform shows it.
    // One sample swings by tens of MB (the allocator's arenas, LMDB's write thread, more so on a
    // loaded machine), so each end is the least of three samples: state kept in memory would put
    // each late sample at least 60 MB (the 60k keys from the early window's last to the late
    // window's first), typically 100 MB, above the early window's least; the bound is 50 MB.
    // Linux always shows RssAnon: there every sample must have been taken.
    if (process.platform === 'linux') expect(anon).toHaveLength((N - 3 * STEP) / STEP + 1);
    const least = (xs: number[]) => Math.min(...xs);
    const anonGrowth = anon.length >= 6 ? least(anon.slice(-3)) - least(anon.slice(0, 3)) : undefined;
    if (anonGrowth !== undefined) expect(anonGrowth).toBeLessThan((dataBytes * 100) / 200 / 2);
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(`lmdb 200k x 1KB: heap +${mib(heapGrowth)} MiB, anonymous rss from 60k-100k to 160k-200k keys +${anonGrowth !== undefined ? mib(anonGrowth) : '?'} MiB (samples ${anon.map(mib).join(' ')}), rss +${mib(process.memoryUsage().rss - rss0)} MiB, disk ${mib(s.stateSizeOnDisk())} MiB`);
    // reopened, it has the same state without reading it into memory
    await p.close();
    const again = await provider({ cacheEntries: 10 }).open(1, version);
    expect(again.size).toBe(N);
    expect(again.get('key-123456')).toEqual([123456, `123456:${filler}`]);
  });
});
