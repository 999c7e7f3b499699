/**
 * Checkpoint mistakes a user makes, each a user error with the path or the way out, never an
 * internal error: a deleted `metadata` file under a changed query, a checkpoint directory that
 * cannot be written, and a stopped query started again.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { lastRowPerKey, readSinkOutput, runCli, tempDir, writeSql, type Row } from '../support/cli.js';

function addInput(dir: string, f: number): void {
  const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify({ k: `k${i % 5}`, b: `b${i % 3}`, v: i + f }));
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  writeFileSync(path.join(dir, `in-${f}.json`), rows.join('\n') + '\n');
  renameSync(path.join(dir, `in-${f}.json`), path.join(dir, 'in', `in-${f}.json`));
}

const script = (dir: string, select: string, keys: string): string => writeSql(dir, `
CREATE TABLE src (k STRING, b STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'in')}', 'format' = 'json');
CREATE TABLE totals (k STRING, n BIGINT, PRIMARY KEY (${keys}) NOT ENFORCED)
  WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'out')}', 'format' = 'json');
INSERT INTO totals ${select};
`);
const BY_K = 'SELECT k, COUNT(*) FROM src GROUP BY k';
const BY_B = 'SELECT b, SUM(v) FROM src GROUP BY b';

const run = (file: string, ck: string) => runCli(['run', file, '--trigger', 'available-now', '--output-mode', 'update', '--checkpoint', ck]);

function expectUserError(r: { code: number; stderr: string }, code: number): void {
  expect(r.code).toBe(code);
  expect(r.stderr).not.toMatch(/internal error|TypeError|\n\s+at /);
}

describe('checkpoint mistakes', () => {
  it('a deleted metadata file with a changed query: the refusal naming what differs (exit 1), not a TypeError', async () => {
    const dir = tempDir('weir-ckm-');
    addInput(dir, 0);
    const ck = path.join(dir, 'ck');
    expect((await run(script(dir, BY_K, 'k'), ck)).code).toBe(0);
    rmSync(path.join(ck, 'insert-into_totals', 'metadata'));
    const r = await run(script(dir, BY_B, 'k'), ck);
    expectUserError(r, 1);
    expect(r.stderr).toContain(`checkpoint ${path.join(ck, 'insert-into_totals')} belongs to a different query: stateful operator 1 was`);
    expect(r.stderr).not.toMatch(/delete/i);
    // the query that wrote it still resumes from it, metadata rebuilt, every row counted once
    addInput(dir, 1);
    const again = await run(script(dir, BY_K, 'k'), ck);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const totals = lastRowPerKey(readSinkOutput(path.join(dir, 'out')), ['k']);
    expect(totals.map((t: Row) => [t.k, t.n]).sort()).toEqual([['k0', 20], ['k1', 20], ['k2', 20], ['k3', 20], ['k4', 20]]);
  });

  it('a checkpoint directory that cannot be written: a user error naming the path and the OS error (exit 1)', async () => {
    const dir = tempDir('weir-ckm-');
    addInput(dir, 0);
    // root writes through permission bits, so as root a directory under sysfs (mounted read-only) stands in
    const root = process.getuid?.() === 0 ? path.join('/sys', `weir-readonly-${process.pid}`) : path.join(dir, 'ro');
    if (process.getuid?.() !== 0) {
      mkdirSync(root);
      chmodSync(root, 0o555);
    }
    try {
      const r = await run(script(dir, BY_K, 'k'), root);
      expectUserError(r, 1);
      expect(r.stderr).toContain(`cannot write checkpoint ${path.join(root, 'insert-into_totals')}: E`);
      expect(r.stderr).toMatch(/(EACCES|EPERM|EROFS)/);
      expect(r.stderr).toContain('the directory is not writable');
    } finally {
      if (process.getuid?.() !== 0) chmodSync(root, 0o755);
    }
  });

  it('a stopped query started again: a user error saying how to resume', async () => {
    const engine = new Engine({ checkpointDir: tempDir('weir-ckm-') });
    const [q] = await engine.execute(`
      CREATE TABLE t (k STRING) WITH ('connector' = 'memory');
      CREATE TABLE o (k STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, COUNT(*) FROM t GROUP BY k;`);
    engine.input('t').push([{ k: 'a' }]);
    await q!.processAllAvailable();
    await q!.stop();
    expect(await q!.awaitTermination()).toBe(true);
    let e: unknown;
    try {
      q!.start();
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(WeirError);
    expect((e as WeirError).code).toBe('PLAN');
    expect((e as WeirError).message).toContain(`query ${q!.name} (id ${q!.id}) has stopped: a query runs once and cannot be started again`);
    expect((e as WeirError).message).toContain('start a new query from the same SQL on the same checkpoint directory');
    await engine.stop();
  });
});
