/**
 * `weir run --trigger`: available-now takes what is there when it starts (one file per batch here)
 * and exits even over a monitored (unbounded) directory; once runs one batch per invocation, and
 * with --checkpoint each run resumes where the last one stopped.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSinkOutput, runCli, tempDir, writeJsonFiles, writeSql } from '../support/cli.js';

function job(dir: string): string {
  writeJsonFiles(path.join(dir, 'in'), [1, 2, 3, 4].map((v) => [{ k: 'a', v }, { k: v % 2 ? 'odd' : 'even', v }]));
  return writeSql(dir, `
    CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json',
      'source.max-files-per-trigger' = '1', 'source.monitor-interval' = '100 ms');
    CREATE TABLE o (k STRING, s BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'json');
    INSERT INTO o SELECT k, SUM(v), COUNT(*) FROM t GROUP BY k;`);
}

const byKey = (rows: Record<string, unknown>[]): Record<string, unknown>[] => [...rows].sort((a, b) => String(a.k).localeCompare(String(b.k)));

describe('weir run --trigger', () => {
  it('available-now: every file there, one batch each, then exit 0', async () => {
    const dir = tempDir();
    const r = await runCli(['run', job(dir), '--trigger', 'available-now', '--output-mode', 'complete', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/^batch \d+: /gm)).toHaveLength(4);
    expect(byKey(readSinkOutput(path.join(dir, 'out')))).toEqual([
      { k: 'a', s: 10, n: 4 }, { k: 'even', s: 6, n: 2 }, { k: 'odd', s: 4, n: 2 },
    ]);
  });

  it('once with a checkpoint: one batch a run, resuming each time', async () => {
    const dir = tempDir();
    const file = job(dir);
    const run = async (): Promise<Record<string, unknown>[]> => {
      const r = await runCli(['run', file, '--trigger', 'once', '--output-mode', 'complete', '--checkpoint', path.join(dir, 'cp')]);
      expect(r.code).toBe(0);
      return byKey(readSinkOutput(path.join(dir, 'out')));
    };
    expect(await run()).toEqual([{ k: 'a', s: 1, n: 1 }, { k: 'odd', s: 1, n: 1 }]);
    expect(await run()).toEqual([{ k: 'a', s: 3, n: 2 }, { k: 'even', s: 2, n: 1 }, { k: 'odd', s: 1, n: 1 }]);
  });
});
