/**
 * What keeps a checkpoint from being misread: its own id (which sinks record), checksums on its log
 * entries, and a deleted `metadata` file rebuilt from the newest commit (or the query refused when
 * it differs, rather than its state read by the wrong operators).
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { BatchLog } from '../../src/state/checkpoint/batch-log.js';
import { Checkpoint, type BatchOffsets, type QueryFingerprint } from '../../src/state/checkpoint/checkpoint.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-ckint-')); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

const fp = (keys: string[] = ['auction']): QueryFingerprint => ({
  operators: [{ id: 1, kind: 'group-aggregate', stateSchema: { keys }, description: `GROUP BY ${keys.join(', ')}` }],
  sources: ['bid:nexmark'],
});
const open = (f: QueryFingerprint, queryId = 'q-1'): Promise<Checkpoint> => Checkpoint.open(dir, f, { queryId, now: 1_000 });
const offsets = (batchId: number): BatchOffsets => ({ batchId, sources: [batchId * 10], watermark: 0, timestamp: 5, settings: {} });

async function commitBatches(c: Checkpoint, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await c.writeOffsets(offsets(i));
    await c.writeCommit({ batchId: i, nextWatermark: 0, committedAt: 7 });
  }
}

async function stateError(p: Promise<unknown>): Promise<WeirError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(WeirError);
  expect((e as WeirError).code).toBe('STATE');
  return e as WeirError;
}

describe('checkpoint id', () => {
  it('is a UUID made with the checkpoint and kept on reopen', async () => {
    const a = await open(fp());
    expect(a.checkpointId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await open(fp(), 'q-2')).checkpointId).toBe(a.checkpointId);
    // another directory is another checkpoint, even for the same query
    const other = await Checkpoint.open(path.join(dir, 'other'), fp(), { queryId: 'q-1', now: 1 });
    expect(other.checkpointId).not.toBe(a.checkpointId);
  });

  it('is given to a checkpoint written before ids existed, once', async () => {
    await fs.writeFile(path.join(dir, 'metadata'), JSON.stringify({ version: 1, id: 'old-q', fingerprint: fp(), createdAt: 3 }));
    const a = await open(fp());
    expect(a.id).toBe('old-q');
    expect(JSON.parse(await fs.readFile(path.join(dir, 'metadata'), 'utf8')).checkpointId).toBe(a.checkpointId);
    expect((await open(fp())).checkpointId).toBe(a.checkpointId);
  });
});

describe('a deleted metadata file', () => {
  it('is rebuilt from the newest commit for the same query: same query id, same checkpoint id', async () => {
    const a = await open(fp());
    await commitBatches(a, 3);
    await fs.rm(path.join(dir, 'metadata'));
    const b = await open(fp(), 'q-new');
    expect(b.id).toBe('q-1');
    expect(b.checkpointId).toBe(a.checkpointId);
    expect((await b.recoveryPoint()).lastCommitted).toBe(2);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'metadata'), 'utf8'))).toMatchObject({ id: 'q-1', checkpointId: a.checkpointId });
  });

  it('refuses a changed query, naming what differs (its state would be read by other operators)', async () => {
    await commitBatches(await open(fp()), 2);
    await fs.rm(path.join(dir, 'metadata'));
    const e = await stateError(open(fp(['bidder'])));
    expect(e.message).toContain(`checkpoint ${dir} belongs to a different query: stateful operator 1 was GROUP BY auction, now GROUP BY bidder`);
    expect(e.message).not.toMatch(/delete/i);
    // nothing was written: the original query still resumes
    expect((await (await open(fp())).recoveryPoint()).lastCommitted).toBe(1);
  });

  it('refuses when the commits predate the recorded owner: the state cannot be checked', async () => {
    await commitBatches(await open(fp()), 1);
    const commit = path.join(dir, 'commits', '0');
    const entry = JSON.parse((await fs.readFile(commit, 'utf8')).split('\n')[0]!);
    delete entry.fingerprint;
    delete entry.queryId;
    delete entry.checkpointId;
    await fs.writeFile(commit, JSON.stringify(entry) + '\n');
    await fs.rm(path.join(dir, 'metadata'));
    const e = await stateError(open(fp()));
    expect(e.message).toContain('has committed batches (up to 0) but its metadata file is missing');
    expect(e.message).toContain(`Restore ${path.join(dir, 'metadata')}`);
  });
});

describe('log checksums', () => {
  it('writes each entry with the checksum of its line', async () => {
    const log = await BatchLog.open<{ a: number }>(dir);
    await log.add(0, { a: 1 });
    const [line, check, rest] = (await fs.readFile(path.join(dir, '0'), 'utf8')).split('\n');
    expect(line).toBe('{"a":1}');
    expect(check).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(rest).toBe('');
  });

  it('reads an entry written before checksums', async () => {
    await fs.writeFile(path.join(dir, '4'), '{"a":4}\n');
    expect(await (await BatchLog.open<{ a: number }>(dir)).get(4)).toEqual({ a: 4 });
  });

  it('refuses a changed commit entry with a STATE error naming the file', async () => {
    const c = await open(fp());
    await commitBatches(c, 2);
    const file = path.join(dir, 'commits', '1');
    const text = await fs.readFile(file, 'utf8');
    // one digit changed: still JSON, still the same length, a different batch
    await fs.writeFile(file, text.replace('"batchId":1', '"batchId":7'));
    const e = await stateError((await open(fp())).recoveryPoint());
    expect(e.message).toContain(`${file} is corrupt: its checksum`);
  });

  it('refuses a changed offsets entry when it is read', async () => {
    const c = await open(fp());
    await commitBatches(c, 1);
    const file = path.join(dir, 'offsets', '0');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"sources":[0]', '"sources":[9]'));
    const e = await stateError((await open(fp())).offsetsOf(0));
    expect(e.message).toContain(`${file} is corrupt`);
  });

  it('still treats a torn entry (cut inside its JSON) as absent', async () => {
    const c = await open(fp());
    await commitBatches(c, 2);
    const file = path.join(dir, 'commits', '1');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).slice(0, 30));
    expect((await (await open(fp())).recoveryPoint()).lastCommitted).toBe(0);
  });
});
