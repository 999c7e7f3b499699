/**
 * Issue 10, "a lost checkpoint cannot silently drop output", through the CLI: every way a filesystem
 * sink and the checkpoint resuming it can disagree. The sink's manifests skip batch ids they hold,
 * which is right only for the checkpoint that wrote them, so each fault must be refused (exit 2,
 * naming the sink path, the checkpoint that wrote it and a safe way out) with the committed output
 * untouched, and the safe way out must then give every input row exactly once.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSinkOutput, runCli, tempDir, writeSql, type Row } from '../support/cli.js';

const ROWS_PER_FILE = 400;

/** A work dir with input files 0..n-1 in `in/` (400 rows each, ids unique across files). */
function work(n: number): string {
  const dir = tempDir('weir-lostck-');
  for (let f = 0; f < n; f++) addInput(dir, f);
  return dir;
}

function addInput(dir: string, f: number): void {
  const rows = Array.from({ length: ROWS_PER_FILE }, (_, i) => JSON.stringify({ id: f * ROWS_PER_FILE + i, k: `k${i % 7}` }));
  const name = `in-${String(f).padStart(3, '0')}.json`;
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  // whole files appear in in/ at once, as a writer renames them in
  writeFileSync(path.join(dir, name), rows.join('\n') + '\n');
  renameSync(path.join(dir, name), path.join(dir, 'in', name));
}

/** The script: every input row copied to the sink at `out` (relative to the work dir). */
function script(dir: string, out = 'out'): string {
  return writeSql(dir, `
CREATE TABLE src (id BIGINT, k STRING) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'in')}', 'format' = 'json',
  'source.max-files-per-trigger' = '1');
CREATE TABLE snk (id BIGINT, k STRING) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, out)}', 'format' = 'json');
INSERT INTO snk SELECT id, k FROM src;
`);
}

const run = (dir: string, ck: string | undefined, out = 'out') =>
  runCli(['run', script(dir, out), '--trigger', 'available-now', ...(ck === undefined ? [] : ['--checkpoint', path.join(dir, ck)])]);

async function runOk(dir: string, ck: string | undefined, out = 'out'): Promise<void> {
  const r = await run(dir, ck, out);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

const ids = (rows: readonly Row[]): number[] => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
const upTo = (files: number): number[] => Array.from({ length: files * ROWS_PER_FILE }, (_, i) => i);

/** A refused run: exit 2, the message on stderr, and the sink's committed rows as they were. */
async function refused(dir: string, ck: string | undefined, before: readonly number[]): Promise<string> {
  const r = await run(dir, ck);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`filesystem sink ${path.join(dir, 'out')}`);
  expect(r.stderr).not.toMatch(/internal error|delete the checkpoint|\n\s+at /);
  expect(ids(readSinkOutput(path.join(dir, 'out')))).toEqual(before);
  return r.stderr;
}

describe('a filesystem sink and a checkpoint that did not write it', () => {
  it('deleted checkpoint: refused, nothing skipped; a new output path then gets every row once', async () => {
    const dir = work(2);
    await runOk(dir, 'ck');
    expect(ids(readSinkOutput(path.join(dir, 'out')))).toEqual(upTo(2));
    rmSync(path.join(dir, 'ck'), { recursive: true });
    addInput(dir, 2);
    const msg = await refused(dir, 'ck', upTo(2));
    expect(msg).toContain(`was written by checkpoint ${path.join(dir, 'ck', 'insert-into_snk')}`);
    expect(msg).toContain('the checkpoint at that path was made anew');
    expect(msg).toMatch(/Safe ways out: restore the checkpoint that wrote it from a copy; or write this query to a new, empty output path; or move .* aside/);
    // the refused run wrote nothing into its new checkpoint's sink, and the way out it names works
    await runOk(dir, 'ck', 'out2');
    expect(ids(readSinkOutput(path.join(dir, 'out2')))).toEqual(upTo(3));
  });

  it('another checkpoint directory pointed at the same sink: refused; the one that wrote it resumes exactly', async () => {
    const dir = work(2);
    await runOk(dir, 'ck1');
    addInput(dir, 2);
    const msg = await refused(dir, 'ck2', upTo(2));
    expect(msg).toContain(`this run's checkpoint is ${path.join(dir, 'ck2', 'insert-into_snk')}`);
    expect(msg).toContain(`Safe ways out: resume on the checkpoint that wrote it (${path.join(dir, 'ck1', 'insert-into_snk')})`);
    await runOk(dir, 'ck1');
    expect(ids(readSinkOutput(path.join(dir, 'out')))).toEqual(upTo(3));
  });

  it('a checkpoint older than the sink (restored from a copy): refused; the newest copy resumes exactly', async () => {
    const dir = work(2);
    await runOk(dir, 'ck');
    cpSync(path.join(dir, 'ck'), path.join(dir, 'ck-old'), { recursive: true });
    addInput(dir, 2);
    await runOk(dir, 'ck');
    cpSync(path.join(dir, 'ck'), path.join(dir, 'ck-new'), { recursive: true });
    rmSync(path.join(dir, 'ck'), { recursive: true });
    cpSync(path.join(dir, 'ck-old'), path.join(dir, 'ck'), { recursive: true });
    addInput(dir, 3);
    const msg = await refused(dir, 'ck', upTo(3));
    expect(msg).toContain('holds batches up to 2');
    expect(msg).toContain('committed only up to batch 1: the checkpoint is older than the sink');
    await runOk(dir, 'ck-new');
    expect(ids(readSinkOutput(path.join(dir, 'out')))).toEqual(upTo(4));
  });

  it('a committed batch whose manifest was deleted: refused, its part files kept; restoring the manifest resumes exactly', async () => {
    const dir = work(3);
    await runOk(dir, 'ck');
    const out = path.join(dir, 'out');
    const manifest = path.join(out, '_manifest', '00000001');
    const listed = readFileSync(manifest, 'utf8');
    expect(listed).toBe('part-00000001-0.json\n');
    rmSync(manifest);
    addInput(dir, 3);
    const r = await run(dir, 'ck');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`filesystem sink ${out} is damaged: batch 1 was committed`);
    expect(r.stderr).toContain(`${manifest} is missing, while its part files are still there: part-00000001-0.json`);
    expect(existsSync(path.join(out, 'part-00000001-0.json'))).toBe(true);
    writeFileSync(manifest, listed);
    await runOk(dir, 'ck');
    expect(ids(readSinkOutput(out))).toEqual(upTo(4));
  });

  it('a run without a checkpoint into output another run wrote: refused', async () => {
    const dir = work(1);
    await runOk(dir, undefined);
    const msg = await refused(dir, undefined, upTo(1));
    expect(msg).toMatch(/running without a checkpoint, and this run has no checkpoint\. .*Safe ways out: write this query to a new, empty output path/);
  });

  it('a sink written before owners were recorded: adopted by its own checkpoint, refused to a new one', async () => {
    const dir = work(2);
    await runOk(dir, 'ck');
    const owner = path.join(dir, 'out', '_owner.json');
    expect(JSON.parse(readFileSync(owner, 'utf8'))).toMatchObject({ checkpointDir: path.join(dir, 'ck', 'insert-into_snk') });
    rmSync(owner);
    addInput(dir, 2);
    await runOk(dir, 'ck');
    expect(ids(readSinkOutput(path.join(dir, 'out')))).toEqual(upTo(3));
    rmSync(owner);
    const msg = await refused(dir, 'ck-fresh', upTo(3));
    expect(msg).toContain('holds batches 0..2 written before Weir recorded which checkpoint writes a sink');
    expect(readdirSync(path.join(dir, 'out', '_manifest')).sort()).toEqual(['00000000', '00000001', '00000002']);
  });

  it('a crash re-run of the same checkpoint still skips the batch it already committed to the sink', async () => {
    const dir = work(2);
    await runOk(dir, 'ck');
    // the crash after the sink's manifest and before commits/1: batch 1 is planned, not committed
    const cp = path.join(dir, 'ck', 'insert-into_snk');
    rmSync(path.join(cp, 'commits', '1'));
    copyFileSync(path.join(dir, 'out', '_manifest', '00000001'), path.join(dir, 'manifest-1'));
    await runOk(dir, 'ck');
    expect(ids(readSinkOutput(path.join(dir, 'out')))).toEqual(upTo(2));
    expect(readFileSync(path.join(dir, 'out', '_manifest', '00000001'), 'utf8')).toBe(readFileSync(path.join(dir, 'manifest-1'), 'utf8'));
  });
});
