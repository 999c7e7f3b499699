/**
 * State files carry a checksum trailer: a delta or snapshot whose bytes changed after it was written
 * is unreadable (as a cut-off one is), files written before checksums are still read, and
 * `newestLoadable` finds the newest version the intact files still rebuild.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEntry } from '../../src/state/state-codec.js';
import { OperatorFiles } from '../../src/state/state-files.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-sfsum-')); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

const body = (entries: [string, number][]): string[] => entries.map(([k, v]) => encodeEntry(k, [v]) + '\n');

async function threeVersions(): Promise<OperatorFiles> {
  const files = await OperatorFiles.open(dir, 7);
  await files.write('delta', 0, 2, body([['a', 1], ['b', 2]]));
  await files.write('delta', 1, 1, body([['a', 10]]));
  await files.write('delta', 2, 1, body([['b', 20]]));
  return files;
}

describe('state file checksums', () => {
  it('end each file with the checksum of its entries', async () => {
    await threeVersions();
    const lines = (await fs.readFile(path.join(dir, '1.delta'), 'utf8')).split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ weir: 'state', kind: 'delta', version: 1, entries: 1, sum: 'trailer' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ weir: 'end', checksum: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
  });

  it('make a changed newest delta unreadable, and newestLoadable goes back to the version before it', async () => {
    const files = await threeVersions();
    expect([...(await files.load(2)).entries()]).toEqual([['a', [10]], ['b', [20]]]);
    const file = path.join(dir, '2.delta');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('[20]', '[29]'));
    const fresh = await OperatorFiles.open(dir, 7);
    await expect(fresh.load(2)).rejects.toThrow(/2\.delta is unreadable/);
    expect(await fresh.newestLoadable(2)).toBe(1);
    expect([...(await fresh.load(1)).entries()]).toEqual([['a', [10]], ['b', [2]]]);
  });

  it('read files written before checksums (no sum in the header, no trailer)', async () => {
    await fs.writeFile(path.join(dir, '0.delta'), JSON.stringify({ weir: 'state', kind: 'delta', version: 0, entries: 1 }) + '\n' + body([['old', 5]]).join(''));
    const files = await OperatorFiles.open(dir, 7);
    expect([...(await files.load(0)).entries()]).toEqual([['old', [5]]]);
  });

  it('refuse a file with its trailer cut off', async () => {
    await threeVersions();
    const file = path.join(dir, '1.delta');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, text.lastIndexOf('{"weir":"end"')));
    const files = await OperatorFiles.open(dir, 7);
    await expect(files.load(1)).rejects.toThrow(/1\.delta is unreadable/);
    expect(await files.newestLoadable(2)).toBe(0);
  });
});
