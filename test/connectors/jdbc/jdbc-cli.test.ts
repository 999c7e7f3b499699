/**
 * The jdbc connector through `weir run`: a script with a relative SQLite path (resolved against the
 * script's directory) or a PostgreSQL url, run again on its checkpoint after more input arrived,
 * writes every input row exactly once; a missing table and a misspelt option are reported as the
 * CLI reports user mistakes.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeJsonFiles, writeSql } from '../../support/cli.js';
import { hasPostgres, openPostgres, openSqlite, plainRows, sorted, type Row, type TestDb } from './databases.js';

const dialects = [
  { name: 'postgresql', open: openPostgres, skip: !hasPostgres() },
  { name: 'sqlite', open: openSqlite, skip: false },
] as const;

describe.each(dialects)('weir run with a jdbc sink on $name', ({ name, open, skip }) => {
  let db: TestDb;
  beforeAll(async () => {
    if (!skip) db = await open();
  }, 30_000);
  afterAll(async () => {
    await db?.close();
  }, 30_000);

  it.skipIf(skip)('resumes from its checkpoint: each input row once', async () => {
    const dir = tempDir();
    await db.exec(`CREATE TABLE sales (item ${db.types.text}, qty ${db.types.bigint})`);
    // SQLite: the same file through a path relative to the script
    const url = name === 'sqlite' ? `sqlite:${path.relative(dir, db.url.slice('sqlite:'.length))}` : db.url;
    const file = writeSql(dir, `
      CREATE TABLE input_rows (item STRING, qty BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json');
      CREATE TABLE sales (item STRING, qty BIGINT) WITH ('connector' = 'jdbc', 'url' = '${url}', 'table-name' = 'sales');
      INSERT INTO sales SELECT item, qty FROM input_rows;`);
    const first: Row[][] = [[{ item: 'a', qty: 1 }, { item: 'b', qty: 2 }], [{ item: 'c', qty: 3 }]];
    writeJsonFiles(path.join(dir, 'in'), first);
    const r1 = await runCli(['run', file, '--checkpoint', path.join(dir, 'cp'), '--trigger', 'available-now']);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    const second: Row[][] = [[{ item: 'd', qty: 4 }]];
    // a file that arrived after the first run (named after the others: the source takes files in name order)
    writeFileSync(path.join(dir, 'in', 'z-later.json'), second.flat().map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r2 = await runCli(['run', file, '--checkpoint', path.join(dir, 'cp'), '--trigger', 'available-now']);
    expect(r2.code).toBe(0);
    expect(sorted(plainRows(await db.rows('SELECT item, qty FROM sales')))).toEqual(sorted([...first, ...second].flat()));
  });

  it.skipIf(skip)('reports a missing table and a misspelt option', async () => {
    const dir = tempDir();
    const script = (options: string): string => writeSql(dir, `CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'json');
CREATE TABLE o (id BIGINT) WITH ('connector' = 'jdbc', 'url' = '${db.url}', ${options});
INSERT INTO o SELECT id FROM t;`);
    const missing = await runCli(['run', script("'table-name' = 'no_such_table'")]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/the database table 'no_such_table' does not exist in (postgresql|sqlite)\[/);
    expect(missing.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const typo = await runCli(['run', script("'tablename' = 'o'")]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/job\.sql:2:\d+: unknown option 'tablename' for connector 'jdbc' \(did you mean 'table-name'\?\)/);
  });
});
