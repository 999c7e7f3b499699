/**
 * Mistakes and failures through the CLI (CONTRACT.md "CLI"): a syntax error and an unknown column
 * reported as FILE:LINE:COLUMN at the exact position, exit 1, no stack trace; append mode refused for
 * an aggregation that never finalizes, with the reason; a failure while running exits 2 with the
 * cause. The exit codes are checked once more on the real binary, and SIGTERM stops a continuous
 * query cleanly (the batch in flight committed).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasBuild, readSinkOutput, runCli, spawnCli, tempDir, writeSql } from '../support/cli.js';

/** `LINE:COLUMN` (1-based) of the `occurrence`-th `needle` in `text`: where the error must point. */
function positionOf(text: string, needle: string, occurrence = 1): string {
  let at = -1;
  for (let k = 0; k < occurrence; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not in the text`);
  }
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

const NO_STACK = /\n\s+at .+:\d+:\d+/;

function tables(dir: string): string {
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  return `-- the input and the output
CREATE TABLE t (a INT, s STRING, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json');
CREATE TABLE o (a INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
`;
}

describe('weir run: mistakes in the SQL are exit 1 with FILE:LINE:COLUMN', () => {
  it('a syntax error, at the token that breaks the statement, naming what was expected', async () => {
    const dir = tempDir();
    const sql = `${tables(dir)}INSERT INTO o
SELECT a, COUNT(*)
  FROM t WHERE a > ) GROUP BY a;
`;
    const file = writeSql(dir, sql, 'syntax.sql');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${escape(file)}:${positionOf(sql, ') GROUP')}: .*expected`, 'm'));
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).toBe('');
  });

  it('several syntax errors of one script, each at its position', async () => {
    const dir = tempDir();
    const sql = `${tables(dir)}SELECT a FROM t WHERE;
SELECT a, FROM t;
`;
    const file = writeSql(dir, sql, 'two.sql');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:${positionOf(sql, ';\nSELECT a,')}: `);
    expect(r.stderr).toContain(`${file}:${positionOf(sql, 'FROM t;\n')}: `);
  });

  it('an unknown column, at the column, naming the columns there are', async () => {
    const dir = tempDir();
    const sql = `${tables(dir)}INSERT INTO o
SELECT a,
       COUNT(*) FILTER (WHERE nope > 1)
  FROM t GROUP BY a;
`;
    const file = writeSql(dir, sql, 'unknown.sql');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^${escape(file)}:${positionOf(sql, 'nope')}: .*'nope'.*`));
    expect(r.stderr).toMatch(/\ba\b.*\bs\b.*\bts\b/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('an unknown table, at its name', async () => {
    const dir = tempDir();
    const sql = `${tables(dir)}INSERT INTO o SELECT a, COUNT(*) FROM nowhere GROUP BY a;\n`;
    const file = writeSql(dir, sql, 'table.sql');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:${positionOf(sql, 'nowhere')}: `);
  });

  it('append mode for an aggregation without a watermark: refused before it starts, with the reason', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'x.json'), '');
    const sql = `${tables(dir)}INSERT INTO o SELECT a, COUNT(*) FROM t GROUP BY a;\n`;
    const file = writeSql(dir, sql, 'append.sql');
    for (const args of [['--output-mode', 'append'], ['--set', 'output-mode=append']]) {
      const r = await runCli(['run', file, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+: .*append.*`));
      expect(r.stderr).toMatch(/aggregat/i);
      expect(r.stderr).toMatch(/update|complete/);
      // nothing ran
      expect(readdirSync(dir)).not.toContain('out');
    }
  });

  it('a bad option value is exit 1', async () => {
    const dir = tempDir();
    const file = writeSql(dir, `${tables(dir)}INSERT INTO o SELECT a, 1 FROM t;\n`);
    expect((await runCli(['run', file, '--output-mode', 'sideways'])).code).toBe(1);
    expect((await runCli(['run', path.join(dir, 'missing.sql')])).code).toBe(1);
  });
});

describe('weir run: a failure while running is exit 2 with its cause', () => {
  it('a value that does not cast', async () => {
    const dir = tempDir();
    const sql = `${tables(dir)}INSERT INTO o SELECT CAST(s AS INT), 1 FROM t;\n`;
    writeFileSync(path.join(dir, 'in', '1.json'), '{"a": 1, "s": "12"}\n{"a": 2, "s": "abc"}\n');
    const file = writeSql(dir, sql, 'cast.sql');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'abc'.*INT|INT.*'abc'/);
    expect(r.stderr).toContain(`${file}:${positionOf(sql, 'CAST(s')}`);
    expect(r.stderr).not.toMatch(NO_STACK);
    // the failed batch was not committed
    expect(readSinkOutput(path.join(dir, 'out'))).toEqual([]);
  });
});

describe.runIf(hasBuild())('the real binary (node bin/weir.js)', () => {
  it('exit codes 1 and 2, with the messages on stderr', async () => {
    const dir = tempDir();
    const bad = `${tables(dir)}INSERT INTO o SELECT a, 1 FROM t WHERE a IN (1, 2;\n`;
    const badFile = writeSql(dir, bad, 'bad.sql');
    writeFileSync(path.join(dir, 'in', '1.json'), '{"a": 1, "s": "x"}\n');
    const failing = writeSql(dir, `${tables(dir)}INSERT INTO o SELECT a, CAST(s AS BIGINT) FROM t;\n`, 'fail.sql');
    // two processes at once: the start-up of each is most of the time
    const [r1, r2] = await Promise.all([spawnCli(['run', badFile]), spawnCli(['run', failing])]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`${badFile}:${positionOf(bad, ';\n', 3)}: `);
    expect(r1.stderr).not.toMatch(NO_STACK);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/'x'/);
    expect(r2.stderr).not.toMatch(NO_STACK);
  });

  it('SIGTERM stops a continuous query cleanly: exit 0, the committed batches kept', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', '1.json'), '{"a": 1, "s": "x"}\n{"a": 1, "s": "y"}\n{"a": 2, "s": "z"}\n');
    const file = writeSql(dir, `
      CREATE TABLE t (a INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json',
        'source.monitor-interval' = '50 ms');
      CREATE TABLE o (a INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
      INSERT INTO o SELECT a, COUNT(*) FROM t GROUP BY a;`);
    let sent = false;
    const r = await spawnCli(['run', file, '--progress', '--output-mode', 'complete'], {
      onSpawn: (child) => {
        child.stderr!.on('data', (d: Buffer) => {
          // once the first batch is committed, stop the job
          if (!sent && d.toString().includes('batch 0')) {
            sent = true;
            child.kill('SIGTERM');
          }
        });
      },
    });
    expect(sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stopping/);
    const rows = readSinkOutput(path.join(dir, 'out'));
    expect(rows.sort((x, y) => (x.a as number) - (y.a as number))).toEqual([{ a: 1, n: 2 }, { a: 2, n: 1 }]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
