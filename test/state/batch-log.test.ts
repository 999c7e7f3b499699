import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { BatchLog } from '../../src/state/checkpoint/batch-log.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-log-')); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

type Entry = { batchId: number; offset: number };

describe('BatchLog', () => {
  it('stores one file per batch named by the decimal batch id', async () => {
    const log = await BatchLog.open<Entry>(path.join(dir, 'offsets'));
    await log.add(0, { batchId: 0, offset: 10 });
    await log.add(1, { batchId: 1, offset: 20 });
    await log.add(10, { batchId: 10, offset: 30 });
    expect((await fs.readdir(path.join(dir, 'offsets'))).sort()).toEqual(['0', '1', '10']);
    expect(await log.list()).toEqual([0, 1, 10]);
    expect(await log.get(1)).toEqual({ batchId: 1, offset: 20 });
    expect(await log.get(2)).toBeUndefined();
    expect(await log.latest()).toEqual({ batchId: 10, entry: { batchId: 10, offset: 30 } });
  });

  it('accepts the same entry again but refuses a different one', async () => {
    const log = await BatchLog.open<Entry>(dir);
    await log.add(3, { batchId: 3, offset: 1 });
    await log.add(3, { batchId: 3, offset: 1 });
    const err = await log.add(3, { batchId: 3, offset: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('STATE');
    expect((err as WeirError).message).toMatch(/already holds a different entry for batch 3/);
    expect(await log.get(3)).toEqual({ batchId: 3, offset: 1 });
  });

  it('skips a torn latest file and lets it be written again', async () => {
    const log = await BatchLog.open<Entry>(dir);
    await log.add(0, { batchId: 0, offset: 1 });
    await log.add(1, { batchId: 1, offset: 2 });
    await fs.writeFile(path.join(dir, '2'), '{"batchId":2,"off');
    expect((await log.latest())?.batchId).toBe(1);
    expect(await log.list()).toEqual([0, 1, 2]);
    await log.add(2, { batchId: 2, offset: 3 });
    expect(await log.get(2)).toEqual({ batchId: 2, offset: 3 });
  });

  it('ignores temporary and foreign files and deletes temporaries on open', async () => {
    await fs.writeFile(path.join(dir, '.4.tmp-0011'), '{"batchId":4}');
    await fs.writeFile(path.join(dir, 'README'), 'x');
    await fs.writeFile(path.join(dir, '007'), '{}');
    const log = await BatchLog.open<Entry>(dir);
    expect(await log.list()).toEqual([]);
    expect((await fs.readdir(dir)).sort()).toEqual(['007', 'README']);
  });

  it('purges all but the last entries', async () => {
    const log = await BatchLog.open<Entry>(dir);
    for (let i = 0; i < 7; i++) await log.add(i, { batchId: i, offset: i });
    expect(await log.purge(3)).toEqual([0, 1, 2, 3]);
    expect(await log.list()).toEqual([4, 5, 6]);
    expect(await log.purgeBelow(5)).toEqual([4]);
    expect(await log.removeAfter(5)).toEqual([6]);
    expect(await log.list()).toEqual([5]);
    await expect(log.purge(0)).rejects.toThrow(RangeError);
  });
});
