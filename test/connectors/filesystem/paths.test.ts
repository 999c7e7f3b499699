/**
 * Where the filesystem connector reads and writes: plain paths, `file://` URIs (as the Nexmark
 * benchmark writes them), a single file as a source, and Flink's legacy option names
 * (`connector.type`, `connector.path`, `format.type`) read through the registry.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { Source } from '../../../src/connectors/api.js';
import { listCommittedFiles } from '../../../src/connectors/filesystem/index.js';
import { resolvedPath } from '../../../src/connectors/filesystem/options.js';
import { createMemoryConnector } from '../../../src/connectors/memory/index.js';
import { withCurrentOptionNames } from '../../../src/connectors/option-names.js';
import { builtinConnectors, createSink, createSource } from '../../../src/connectors/registry.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';
import { weirErrorOf as errorOf } from '../../support/weir-error.js';

afterAll(removeTempDirs);

const connectors = builtinConnectors(createMemoryConnector().tables);
const sideInput: Schema = { columns: [{ name: 'key', type: T.BIGINT, nullable: true }, { name: 'value', type: T.VARCHAR, nullable: true }] };
const rowsOf = (batches: readonly arrow.RecordBatch[]): Record<string, unknown>[] => batches.flatMap((b) => batchToRows(b));

async function readAll(src: Source): Promise<{ rows: Record<string, unknown>[]; rejected: number }> {
  const end = await src.latestOffset(undefined);
  const r = await src.read(undefined, end!);
  return { rows: rowsOf(r.batches), rejected: r.rejected.length };
}

/** The benchmark's side input: `i,i` for i in 0..n-1, one a line (SideInputGenerator). */
const sideInputText = (n: number): string => Array.from({ length: n }, (_, i) => `${i},${i}\n`).join('');

describe('filesystem paths', () => {
  const at = (p: string, base = '/base'): string => resolvedPath(table(sideInput, { connector: 'filesystem', path: p }), base);

  it('resolves plain paths against the base directory and file: URIs to the path they name', () => {
    expect(at('data/in')).toBe('/base/data/in');
    expect(at('/abs/in')).toBe('/abs/in');
    expect(at('file:///abs/dir/')).toBe('/abs/dir');
    expect(at('file:/abs/dir')).toBe('/abs/dir');
    expect(at('file://localhost/abs/dir')).toBe('/abs/dir');
    expect(at('FILE:///abs/x.txt')).toBe('/abs/x.txt');
    expect(at('file:///abs/a%20b/c.txt')).toBe('/abs/a b/c.txt');
    // a URI is never resolved against the base directory
    expect(at('file:///abs/../etc/x', '/elsewhere')).toBe('/etc/x');
  });

  it('refuses what would read elsewhere than the user pointed, at the path option', () => {
    const err = (p: string): string => {
      const e = errorOf(() => at(p));
      return `${e.code} ${e.span?.line} ${e.message}`;
    };
    expect(err('file://data/side_input.txt')).toBe(
      "OPTION 3 table 't': path 'file://data/side_input.txt' names the host 'data': a file:// URI names a path on this machine, " +
      'with three slashes (file:///dir/file); was a placeholder before it empty or relative?');
    expect(err('file:data/x')).toBe("OPTION 3 table 't': path 'file:data/x' is a relative file: URI: write an absolute one, file:///dir/file");
    expect(err('hdfs:///data/x')).toBe("OPTION 3 table 't': path 'hdfs:///data/x' has the scheme 'hdfs:': expected a plain path or a file:// URI");
    expect(err('s3://bucket/x')).toMatch(/^OPTION 3 .* has the scheme 's3:'/);
    expect(err('file:///data/x?y=1')).toMatch(/^OPTION 3 .* has a query or a fragment/);
    expect(err('file:///data/x#frag')).toMatch(/^OPTION 3 .* has a query or a fragment/);
    expect(err('file:///data/a%2Fb')).toMatch(/^OPTION 3 .* is not a valid file:\/\/ URI/);
  });
});

describe('legacy option names', () => {
  it('reads connector.type / connector.path / format.type as connector / path / format, keeping their spans', () => {
    const t = table(sideInput, { 'connector.type': 'filesystem', 'connector.path': 'file:///x/side_input.txt', 'format.type': 'csv', 'format.field-delimiter': ';' });
    const { table: mapped, writtenAs } = withCurrentOptionNames(t);
    expect([...mapped.options]).toEqual([['connector', 'filesystem'], ['path', 'file:///x/side_input.txt'], ['format', 'csv'], ['csv.field-delimiter', ';']]);
    expect(mapped.optionSpans.get('path')?.line).toBe(3);
    expect(writtenAs.get('csv.field-delimiter')).toBe('format.field-delimiter');
    // current names pass through untouched
    const current = table(sideInput, { connector: 'filesystem', path: '/x' });
    expect(withCurrentOptionNames(current).table).toBe(current);
  });

  it('refuses an option given in both styles, and names a legacy key as written when it is unknown', () => {
    const both = errorOf(() => withCurrentOptionNames(table(sideInput, { connector: 'filesystem', 'connector.type': 'filesystem', path: '/x' })));
    expect([both.code, both.span?.line, both.message]).toEqual(['OPTION', 3, "table 't': options 'connector' and 'connector.type' both set 'connector': keep one"]);
    const dir = tempDir();
    const unknown = errorOf(() => createSource(table(sideInput, {
      'connector.type': 'filesystem', 'connector.path': dir, 'format.type': 'csv', 'format.quote': "'",
    }), ctx(dir), connectors));
    expect([unknown.span?.line, unknown.message]).toEqual([5, expect.stringMatching(/^unknown option 'format.quote' \(read as 'csv.quote'\) for connector 'filesystem'/)]);
    // without connector.type a dotted connector key is not renamed: an unknown option as before
    const stray = errorOf(() => createSource(table(sideInput, { connector: 'filesystem', 'connector.path': dir, format: 'csv' }), ctx(dir), connectors));
    expect(stray.message).toMatch(/^unknown option 'connector.path' for connector 'filesystem'/);
  });

  it("reads q13's side input: one CSV file named by a file:// URI, with the (key BIGINT, value VARCHAR) schema", async () => {
    const dir = tempDir();
    files(dir, { 'data/side_input.txt': sideInputText(10_000), 'data/other.txt': '1,not this file\n' });
    const src = createSource(table(sideInput, {
      'connector.type': 'filesystem', 'connector.path': `file://${dir}/data/side_input.txt`, 'format.type': 'csv',
    }), ctx('/'), connectors);
    expect(src.bounded).toBe(true);
    const { rows, rejected } = await readAll(src);
    expect(rejected).toBe(0);
    expect(rows.length).toBe(10_000);
    expect(rows[0]).toEqual({ key: 0, value: '0' });
    expect(rows[9_999]).toEqual({ key: 9_999, value: '9999' });
    expect(rows.every((r, i) => r.key === i && r.value === String(i))).toBe(true);
    expect(src.isExhausted(await src.latestOffset(undefined))).toBe(true);
  });

  it('keeps a malformed line of the side input aside with its file and line', async () => {
    const dir = tempDir();
    files(dir, { 'side_input.txt': '0,0\nx,1\n2,2,2\n3,3\n' });
    const src = createSource(table(sideInput, { connector: 'filesystem', path: `file://${dir}/side_input.txt`, format: 'csv' }), ctx('/'), connectors);
    const end = await src.latestOffset(undefined);
    const r = await src.read(undefined, end!);
    expect(rowsOf(r.batches)).toEqual([{ key: 0, value: '0' }, { key: 3, value: '3' }]);
    expect(r.rejected.map((x) => x.origin)).toEqual(['side_input.txt:2', 'side_input.txt:3']);
  });

  it('writes a sink to a file:// directory given with trailing slash (as q10 writes it)', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'data', 'output', 'bid');
    const sink = createSink(table(sideInput, { connector: 'filesystem', path: `file://${out}/`, format: 'csv' }), ctx('/'), connectors);
    await sink.open({ schema: sideInput, mode: 'append', keyColumns: [], queryName: 'q' });
    await sink.write({ batchId: 0, data: [rowsToBatch(sideInput, [{ key: 1, value: 'a' }])], kinds: undefined });
    await sink.close();
    const parts = listCommittedFiles(out);
    expect(parts.length).toBe(1);
    expect(readFileSync(path.join(out, parts[0]!), 'utf8')).toBe('1,a\n');
  });
});
