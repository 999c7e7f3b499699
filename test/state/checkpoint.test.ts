import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Checkpoint, decodeWatermark, encodeWatermark, type QueryFingerprint } from '../../src/state/checkpoint/checkpoint.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-ckpt-')); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

const groupBy = (keys: string[], aggs: string[], description?: string) => ({
  id: 3,
  kind: 'group-aggregate',
  stateSchema: { keys, aggs },
  ...(description ? { description } : {}),
});

const fp = (over: Partial<QueryFingerprint> = {}): QueryFingerprint => ({
  operators: [groupBy(['auction'], ['count(*)'], 'GroupAggregate(keys=[auction], aggs=[count(*)])')],
  sources: ['bid (nexmark)'],
  stateless: { plan: 'Project(a) <- Filter(price > 10)' },
  ...over,
});

const open = (f: QueryFingerprint, id = 'q-1', retain?: number) =>
  Checkpoint.open(dir, f, { queryId: id, now: 1_000, ...(retain ? { retain } : {}) });

async function refusal(f: QueryFingerprint): Promise<WeirError> {
  const e = await open(f, 'q-2').catch((x: unknown) => x);
  expect(e).toBeInstanceOf(WeirError);
  expect((e as WeirError).code).toBe('STATE');
  return e as WeirError;
}

describe('Checkpoint metadata', () => {
  it('creates the metadata and keeps the first query id on reopen', async () => {
    const c1 = await open(fp(), 'q-1');
    expect(c1.id).toBe('q-1');
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'metadata'), 'utf8'));
    expect(meta).toMatchObject({ version: 1, id: 'q-1', createdAt: 1_000 });
    expect(meta.fingerprint.operators[0].kind).toBe('group-aggregate');
    const c2 = await open(fp(), 'q-other');
    expect(c2.id).toBe('q-1');
    expect(c2.stateDir).toBe(path.join(dir, 'state'));
  });

  it('refuses a checkpoint whose stateful operator changed, naming both', async () => {
    await open(fp());
    const e = await refusal(fp({ operators: [groupBy(['bidder'], ['count(*)'], 'GroupAggregate(keys=[bidder], aggs=[count(*)])')] }));
    expect(e.message).toBe(`checkpoint ${dir} belongs to a different query: stateful operator 1 was GroupAggregate(keys=[auction], aggs=[count(*)]), now GroupAggregate(keys=[bidder], aggs=[count(*)]). `
      + 'Run the query that wrote it on this checkpoint, or give this query its own new checkpoint directory '
      + '(and, for a filesystem sink, a new output path: a new checkpoint starts over from the beginning of the input)');
    // deleting the checkpoint would make a filesystem sink's committed output unreachable: never advised
    expect(e.message).not.toMatch(/delete/i);
  });

  it('shows the state schema when the description did not change', async () => {
    await open(fp());
    const e = await refusal(fp({ operators: [groupBy(['auction'], ['sum(price)'], 'GroupAggregate(keys=[auction], aggs=[count(*)])')] }));
    expect(e.message).toContain('was group-aggregate {"aggs":["count(*)"],"keys":["auction"]}, now group-aggregate {"aggs":["sum(price)"],"keys":["auction"]}');
  });

  it('refuses another number of stateful operators or other sources', async () => {
    await open(fp());
    const more = await refusal(fp({ operators: [...fp().operators, { id: 5, kind: 'window-aggregate', stateSchema: { size: 10 }, description: 'TumbleAggregate(10s)' }] }));
    expect(more.message).toContain('it had 1 stateful operator(s), now 2; new: TumbleAggregate(10s)');
    const src = await refusal(fp({ sources: ['person (nexmark)'] }));
    expect(src.message).toContain('source 1 was bid (nexmark), now person (nexmark)');
    const count = await refusal(fp({ sources: ['bid (nexmark)', 'person (nexmark)'] }));
    expect(count.message).toContain('it read 1 source(s) (bid (nexmark)), now 2');
  });

  it('accepts a change that does not touch state and records it', async () => {
    await open(fp());
    const changed = fp({ stateless: { plan: 'Project(a, b) <- Filter(price > 99)' } });
    const c = await open(changed, 'q-2');
    expect(c.id).toBe('q-1');
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'metadata'), 'utf8'));
    expect(meta.fingerprint.stateless).toEqual({ plan: 'Project(a, b) <- Filter(price > 99)' });
  });

  it('starts over when the metadata file is torn', async () => {
    await fs.writeFile(path.join(dir, 'metadata'), '{"version":1,"id":"q-');
    const c = await open(fp(), 'q-9');
    expect(c.id).toBe('q-9');
  });
});

describe('Checkpoint recovery', () => {
  const offsets = (batchId: number, watermark: number) => ({
    batchId,
    sources: [{ partition: 0, offset: batchId * 100 }, undefined],
    watermark,
    timestamp: 5_000 + batchId,
    settings: { 'table.local-time-zone': 'UTC' },
  });

  it('has nothing to recover in a new checkpoint', async () => {
    const c = await open(fp());
    expect(await c.recoveryPoint()).toEqual({ lastCommitted: -1, nextBatchId: 0 });
  });

  it('finds the last commit and the planned batch to re-run, with exact offsets, watermark and timestamp', async () => {
    const c = await open(fp());
    await c.writeOffsets(offsets(0, -Infinity));
    await c.writeCommit({ batchId: 0, nextWatermark: 1_000, committedAt: 6_000, extra: { maxEventTime: [2_000] } });
    await c.writeOffsets(offsets(1, 1_000));
    await c.writeCommit({ batchId: 1, nextWatermark: Infinity, committedAt: 6_001 });
    await c.writeOffsets(offsets(2, Infinity));
    const again = await open(fp());
    const r = await again.recoveryPoint();
    expect(r.lastCommitted).toBe(1);
    expect(r.nextBatchId).toBe(2);
    expect(r.committed).toEqual(offsets(1, 1_000));
    expect(r.commit).toEqual({ batchId: 1, nextWatermark: Infinity, committedAt: 6_001 });
    expect(r.pending).toEqual(offsets(2, Infinity));
    expect(await again.commitOf(0)).toEqual({ batchId: 0, nextWatermark: 1_000, committedAt: 6_000, extra: { maxEventTime: [2_000] } });
    // the re-run writes the identical plan: accepted
    await again.writeOffsets(offsets(2, Infinity));
    // a different plan for the same batch is refused
    await expect(again.writeOffsets({ ...offsets(2, Infinity), timestamp: 1 })).rejects.toThrow(/different entry for batch 2/);
  });

  it('treats a torn commit as absent and drops offsets planned after the first uncommitted batch', async () => {
    const c = await open(fp());
    for (let i = 0; i < 3; i++) {
      await c.writeOffsets(offsets(i, i * 10));
      await c.writeCommit({ batchId: i, nextWatermark: (i + 1) * 10, committedAt: i });
    }
    await c.writeOffsets(offsets(3, 30));
    await fs.writeFile(path.join(dir, 'commits', '2'), '{"version":1,"batc');
    const r = await (await open(fp())).recoveryPoint();
    expect(r.lastCommitted).toBe(1);
    expect(r.pending?.batchId).toBe(2);
    expect((await fs.readdir(path.join(dir, 'offsets'))).sort()).toEqual(['0', '1', '2']);
    expect((await fs.readdir(path.join(dir, 'commits'))).sort()).toEqual(['0', '1']);
  });

  it('ignores a torn offsets file of the next batch', async () => {
    const c = await open(fp());
    await c.writeOffsets(offsets(0, 0));
    await c.writeCommit({ batchId: 0, nextWatermark: 0, committedAt: 0 });
    await fs.writeFile(path.join(dir, 'offsets', '1'), '');
    const r = await (await open(fp())).recoveryPoint();
    expect(r).toMatchObject({ lastCommitted: 0, nextBatchId: 1 });
    expect(r.pending).toBeUndefined();
    await c.writeOffsets(offsets(1, 5));
  });

  it('keeps only the last `retain` batches of offsets and commits', async () => {
    const c = await open(fp(), 'q-1', 3);
    for (let i = 0; i < 8; i++) {
      await c.writeOffsets(offsets(i, i));
      await c.writeCommit({ batchId: i, nextWatermark: i + 1, committedAt: i });
    }
    await c.writeOffsets(offsets(8, 8));
    expect((await fs.readdir(path.join(dir, 'commits'))).map(Number).sort((a, b) => a - b)).toEqual([5, 6, 7]);
    expect((await fs.readdir(path.join(dir, 'offsets'))).map(Number).sort((a, b) => a - b)).toEqual([5, 6, 7, 8]);
    expect((await c.recoveryPoint()).committed?.batchId).toBe(7);
    expect(c.lastWriteMs).toBeGreaterThanOrEqual(0);
    expect(await c.sizeOnDisk()).toBeGreaterThan(0);
  });

  it('rejects a bad retention', async () => {
    await expect(open(fp(), 'q', 0.5)).rejects.toMatchObject({ code: 'OPTION' });
  });
});

describe('watermark encoding', () => {
  it('round-trips the infinities through JSON', () => {
    for (const wm of [-Infinity, 0, 1_700_000_000_000, Infinity]) {
      expect(decodeWatermark(JSON.parse(JSON.stringify(encodeWatermark(wm))))).toBe(wm);
    }
    expect(encodeWatermark(-Infinity)).toBeNull();
    expect(encodeWatermark(Infinity)).toBe('+inf');
  });
});
