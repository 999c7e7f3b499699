/**
 * Issue 10, "recovery from a corrupt newest state file", through the CLI: a damaged newest delta or
 * snapshot of a real checkpoint is detected (checksum or cut-off), the state is rebuilt from the
 * newest intact version and the batches after it are replayed from the offset log, and the output
 * equals that of a run nothing happened to: every row once, no batch delivered twice.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { readSinkOutput, runCli, tempDir, writeSql, type Row } from '../support/cli.js';

const FILES = 4;

function addInput(dir: string, f: number): void {
  const rows = Array.from({ length: 300 }, (_, i) => JSON.stringify({ k: `k${(i * 7 + f) % 13}`, v: (i * 31 + f * 17) % 101 }));
  const name = `in-${f}.json`;
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  writeFileSync(path.join(dir, name), rows.join('\n') + '\n');
  renameSync(path.join(dir, name), path.join(dir, 'in', name));
}

function script(dir: string): string {
  return writeSql(dir, `
CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'in')}', 'format' = 'json',
  'source.max-files-per-trigger' = '1');
CREATE TABLE totals (k STRING, n BIGINT, total BIGINT, top INT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'out')}', 'format' = 'json');
INSERT INTO totals SELECT k, COUNT(*), SUM(v), MAX(v) FROM src GROUP BY k;
`);
}

async function run(dir: string, settings: readonly string[] = []): Promise<{ code: number; stderr: string }> {
  const r = await runCli(['run', script(dir), '--trigger', 'available-now', '--output-mode', 'update',
    '--checkpoint', path.join(dir, 'ck'), ...settings.flatMap((s) => ['--set', s])]);
  return { code: r.code, stderr: r.stderr };
}

/** Two runs (files 0..2, then file 3) with `damage` done to the checkpoint in between; the sink's rows in order. */
async function twoRuns(damage: (stateDir: string) => void, settings: readonly string[] = []): Promise<Row[]> {
  const dir = tempDir('weir-corrupt-');
  for (let f = 0; f < FILES - 1; f++) addInput(dir, f);
  expect(await run(dir, settings)).toEqual({ code: 0, stderr: '' });
  damage(path.join(dir, 'ck', 'insert-into_totals', 'state'));
  addInput(dir, FILES - 1);
  expect(await run(dir, settings)).toEqual({ code: 0, stderr: '' });
  return readSinkOutput(path.join(dir, 'out'));
}

/** The newest file of `kind` of the (one) stateful operator, as [path, version]. */
function newest(stateDir: string, kind: 'delta' | 'snapshot'): [string, number] {
  const [op] = readdirSync(stateDir);
  const versions = readdirSync(path.join(stateDir, op!)).filter((f) => f.endsWith(`.${kind}`)).map((f) => Number(f.split('.')[0]));
  expect(versions.length).toBeGreaterThan(0);
  const v = Math.max(...versions);
  return [path.join(stateDir, op!, `${v}.${kind}`), v];
}

/** Change one entry's value in place: the file still parses and has as many lines as its header says. */
function changeAValue(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n > 0 && /\d/.test(l) && l.startsWith('['));
  expect(i).toBeGreaterThan(0);
  lines[i] = lines[i]!.replace(/(\d)(?=[^\d]*$)/, (d) => String((Number(d) + 1) % 10));
  writeFileSync(file, lines.join('\n'));
}

describe('a damaged newest state file', () => {
  let expected: Row[] | undefined;
  const uninterrupted = async (): Promise<Row[]> => (expected ??= await twoRuns(() => {}));

  it('a changed value in the newest delta: rebuilt from the older versions and replayed, output as if nothing happened', async () => {
    let damaged = -1;
    const rows = await twoRuns((stateDir) => {
      const [file, v] = newest(stateDir, 'delta');
      damaged = v;
      changeAValue(file);
    });
    expect(damaged).toBeGreaterThan(0);
    expect(rows).toEqual(await uninterrupted());
    expect(rows.length).toBeGreaterThan(13);
  });

  it('a newest delta cut short', async () => {
    const rows = await twoRuns((stateDir) => {
      const [file] = newest(stateDir, 'delta');
      truncateSync(file, Math.floor(readFileSync(file).length / 2));
    });
    expect(rows).toEqual(await uninterrupted());
  });

  it('a changed newest snapshot and the delta of its version: back to the older snapshot, replayed', async () => {
    const rows = await twoRuns((stateDir) => {
      const [snap, v] = newest(stateDir, 'snapshot');
      changeAValue(snap);
      changeAValue(path.join(path.dirname(snap), `${v}.delta`));
    }, ['state.snapshot-interval=1']);
    expect(rows).toEqual(await uninterrupted());
  });

  it('is a clear STATE error naming the file when the offsets to replay are past retention', async () => {
    const dir = tempDir('weir-corrupt-');
    for (let f = 0; f < FILES - 1; f++) addInput(dir, f);
    expect((await run(dir, ['checkpoint.retain=1'])).code).toBe(0);
    const [file, v] = newest(path.join(dir, 'ck', 'insert-into_totals', 'state'), 'delta');
    changeAValue(file);
    const r = await run(dir, ['checkpoint.retain=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${v}.delta is unreadable`);
    expect(r.stderr).toContain(`The newest state every operator can rebuild is version ${v - 1}, but the offsets or commit of batch ${v - 1} are gone`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('a damaged newest state file under a source that cannot replay', () => {
  it('is a STATE error naming the file and the source (memory input is gone with its process), not a wrong answer', async () => {
    const ck = tempDir('weir-corrupt-mem-');
    const sql = `CREATE TABLE t (k STRING) WITH ('connector' = 'memory');
      CREATE TABLE o (k STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, COUNT(*) FROM t GROUP BY k;`;
    const first = new Engine({ checkpointDir: ck });
    const [q] = await first.execute(sql);
    for (const k of ['a', 'b', 'a']) {
      first.input('t').push([{ k }]);
      await q!.processAllAvailable();
    }
    await first.stop();
    const [file] = newest(path.join(ck, 'insert-into_o', 'state'), 'delta');
    changeAValue(file);
    const second = new Engine({ checkpointDir: ck });
    const [q2] = await second.execute(sql);
    const e = await q2!.awaitTermination().catch((x: unknown) => x);
    await second.stop();
    expect(e).toBeInstanceOf(WeirError);
    expect((e as WeirError).code).toBe('STATE');
    expect((e as WeirError).message).toContain(`${path.basename(file)} is unreadable`);
    expect((e as WeirError).message).toMatch(/would replay committed batches, but memory.* cannot read them again/);
  });
});
