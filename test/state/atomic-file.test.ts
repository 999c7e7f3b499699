import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTempFile, readJsonOrUndefined, removeStaleTemps, writeFileAtomic, writeLinesAtomic } from '../../src/state/checkpoint/atomic-file.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-atomic-')); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

describe('writeFileAtomic', () => {
  it('writes the whole content and leaves no temporary file behind', async () => {
    const f = path.join(dir, 'metadata');
    await writeFileAtomic(f, JSON.stringify({ a: 1 }));
    await writeFileAtomic(f, JSON.stringify({ a: 2 }));
    expect(await readJsonOrUndefined(f)).toEqual({ a: 2 });
    expect(await fs.readdir(dir)).toEqual(['metadata']);
  });

  it('writes streamed lines and returns the byte count', async () => {
    const f = path.join(dir, 'lines');
    const bytes = await writeLinesAtomic(f, ['é\n', 'b\n']);
    expect(bytes).toBe(Buffer.byteLength('é\nb\n'));
    expect(await fs.readFile(f, 'utf8')).toBe('é\nb\n');
  });

  it('fails without leaving a file when the directory does not exist', async () => {
    await expect(writeFileAtomic(path.join(dir, 'nope', 'x'), 'x')).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('readJsonOrUndefined', () => {
  it('treats missing, empty, cut-off and garbage files as absent', async () => {
    expect(await readJsonOrUndefined(path.join(dir, 'missing'))).toBeUndefined();
    await fs.writeFile(path.join(dir, 'empty'), '');
    expect(await readJsonOrUndefined(path.join(dir, 'empty'))).toBeUndefined();
    await fs.writeFile(path.join(dir, 'torn'), '{"batchId":3,"sources":[{"off');
    expect(await readJsonOrUndefined(path.join(dir, 'torn'))).toBeUndefined();
    await fs.writeFile(path.join(dir, 'zeros'), Buffer.alloc(64));
    expect(await readJsonOrUndefined(path.join(dir, 'zeros'))).toBeUndefined();
  });

  it('throws for errors that are not a crash leftover (a directory in place of the file)', async () => {
    await fs.mkdir(path.join(dir, 'sub'));
    await expect(readJsonOrUndefined(path.join(dir, 'sub'))).rejects.toThrow();
  });
});

describe('removeStaleTemps', () => {
  it('deletes only temporary files', async () => {
    await fs.writeFile(path.join(dir, '.3.tmp-abcdef'), 'partial');
    await fs.writeFile(path.join(dir, '3'), '{}');
    expect(isTempFile('.3.tmp-abcdef')).toBe(true);
    expect(isTempFile('3')).toBe(false);
    await removeStaleTemps(dir);
    expect(await fs.readdir(dir)).toEqual(['3']);
  });
});
