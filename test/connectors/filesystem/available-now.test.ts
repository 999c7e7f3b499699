import { afterAll, describe, expect, it } from 'vitest';
import { FilesystemSource } from '../../../src/connectors/filesystem/source.js';
import { T } from '../../../src/common/types.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema = { columns: [{ name: 'x', type: T.INT, nullable: true }] };

describe('filesystem source with an available-now trigger', () => {
  it('offers only the files present when the trigger started, even when monitored', async () => {
    const dir = tempDir();
    files(dir, { 'a.json': '{"x":1}\n', 'b.json': '{"x":2}\n' });
    const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format: 'json', 'source.monitor-interval': '1 s' }), ctx(dir));
    expect(src.bounded).toBe(false);
    await src.prepareForAvailableNow();
    files(dir, { 'c.json': '{"x":3}\n' });
    const end = await src.latestOffset(undefined);
    expect(end).toEqual({ files: ['a.json', 'b.json'] });
    expect(await src.latestOffset(end)).toEqual(end);
  });
});
