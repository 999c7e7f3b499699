/**
 * What `weir run` tells a person on stderr: a summary when it ends (rows in, rows out and where,
 * files written, rejected records and where they are kept), and the --progress line: one line a
 * batch in a pipe, one line redrawn in place on a terminal. Bare SELECT rows carry column names.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunReport } from '../../src/cli/run-report.js';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import { runCli, tempDir, writeSql } from '../support/cli.js';

function input(dir: string): void {
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  writeFileSync(path.join(dir, 'in', 'a.json'), ['{"k": "a", "v": 1}', '{"k": "b", "v": 2}', 'not json', '{"k": "a", "v": 3}'].join('\n') + '\n');
}

describe('weir run on stderr', () => {
  it('ends with a summary: rows in and out, files written, rejected records and where they are', async () => {
    const dir = tempDir();
    input(dir);
    const file = writeSql(dir, `
      CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json');
      CREATE TABLE dst (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
      INSERT INTO dst SELECT k, v FROM src WHERE v > 1;`);
    const r = await runCli(['run', file]);
    expect(r.stderr).toMatch(/^weir: insert-into_dst: batch 0: 1 malformed record\(s\) kept in /); // as before, at the batch
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(/^weir: finished after \d+\.\d s\n/);
    expect(r.summary).toMatch(new RegExp(`  insert-into_dst: \\d+ batch(es)?, 3 rows in, 2 rows out to filesystem\\[${dir}/out\\] \\(1 file\\); ` +
      `1 rejected record kept in ${dir}/out/_rejected\\n`));
  });

  it('prints bare SELECT rows with their column names in a pipe', async () => {
    const dir = tempDir();
    input(dir);
    const file = writeSql(dir, `
      CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json');
      SELECT k AS key, SUM(v) AS total FROM src GROUP BY k;`);
    const r = await runCli(['run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l)).toEqual(expect.arrayContaining(['+I[key=b, total=2]']));
    expect(r.stdout).toMatch(/^\+I\[key=a, total=\d\]$/m);
    expect(r.summary).toMatch(/select_0: \d+ batch(es)?, 3 rows in, \d rows out to print; 1 rejected record kept in /);
  });

  it('writes a progress line a batch in a pipe, and redraws one line on a terminal', () => {
    const p = { name: 'q', batchId: 4, numInputRows: 10, numRejectedRows: 0, processedRowsPerSecond: 100, durationMs: { triggerExecution: 2 },
      eventTime: { watermark: null }, stateOperators: [], sources: [], sink: { description: 'print', numOutputRows: 3 } } as unknown as QueryProgress;
    let piped = '';
    const pipe = new RunReport({ write: (s: string) => (piped += s) }, true, false, 0);
    pipe.onEvent({ type: 'progress', progress: p });
    pipe.onEvent({ type: 'progress', progress: { ...p, batchId: 5 } });
    expect(piped).toBe('batch 4: 10 rows  100 rows/s  2.0 ms  out 3  watermark -\nbatch 5: 10 rows  100 rows/s  2.0 ms  out 3  watermark -\n');
    let tty = '';
    const term = new RunReport({ write: (s: string) => (tty += s), isTTY: true, columns: 30 } /* cut to 29 */, true, false, 0);
    term.onEvent({ type: 'progress', progress: p });
    term.onEvent({ type: 'progress', progress: { ...p, batchId: 5 } });
    term.note('weir: a warning');
    expect(tty).toBe('\r\x1b[Kbatch 4: 10 rows  100 rows/s \r\x1b[Kbatch 5: 10 rows  100 rows/s \nweir: a warning\n');
    expect(term.summary('finished', 1500, ['q'])).toBe('weir: finished after 1.5 s\n  q: 2 batches, 20 rows in, 6 rows out to print; no rejected records\n');
  });
});
