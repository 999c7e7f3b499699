/**
 * ROW grouping keys across a restart, on both state backends: the state store keys of equal ROW
 * values are one key (the key codec's), so after a restart the rows of a ROW key meet the state its
 * earlier rows left, in group and in window aggregation, and nothing is counted twice.
 */
import { afterEach, describe, it } from 'vitest';
import { addData, checkAnswer, stopAndRestart, testStream } from '../support/stream-test.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';

afterEach(removeTempDirs);

const INPUT = `
  CREATE TABLE t (r ROW<a BIGINT, b STRING>, k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
    WITH ('connector' = 'memory');`;

const GROUPED = `${INPUT}
  CREATE TABLE g (r ROW<a BIGINT, b STRING>, k STRING, n BIGINT, total BIGINT) WITH ('connector' = 'memory');
  INSERT INTO g SELECT r, k, COUNT(*), SUM(v) FROM t GROUP BY r, k;`;

const WINDOWED = `${INPUT}
  CREATE TABLE w (r ROW<a BIGINT, b STRING>, window_start TIMESTAMP(3), n BIGINT, total BIGINT) WITH ('connector' = 'memory');
  INSERT INTO w SELECT r, window_start, COUNT(*), SUM(v)
    FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY r, window_start, window_end;`;

const row = (a: number, b: string | null, k: string, v: number, ts: number): Record<string, unknown> => ({ r: { a, b }, k, v, ts });

describe.each(['filesystem', 'lmdb'])('ROW keys across a restart (%s)', (backend) => {
  const settings = { 'state.backend': backend };

  it('group aggregation: equal ROW values before and after the restart are one group', async () => {
    await testStream(GROUPED, [
      addData('t', [row(1, 'x', 'p\u0001q', 1, 0), row(2, 'x', 'p', 10, 0), row(1, 'x', 'p\u0001q', 100, 0)]),
      stopAndRestart(),
      addData('t', [row(1, 'x', 'p\u0001q', 1000, 0), row(1, null, 'p', 5, 0)]),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', [row(2, 'x', 'p', 20, 0)]),
      checkAnswer('g', [
        { r: { a: 1, b: 'x' }, k: 'p\u0001q', n: 3, total: 1101 },
        { r: { a: 2, b: 'x' }, k: 'p', n: 2, total: 30 },
        { r: { a: 1, b: null }, k: 'p', n: 1, total: 5 },
      ]),
    ], { checkpointDir: tempDir(`row-key-group-${backend}-`), settings });
  });

  it('window aggregation: a window\'s ROW key keeps its state across the restart', async () => {
    await testStream(WINDOWED, [
      addData('t', [row(1, 'x', '', 1, 1000), row(2, 'x', '', 10, 2000), row(1, 'x', '', 100, 3000)]),
      stopAndRestart(),
      addData('t', [row(1, 'x', '', 1000, 4000), row(2, 'x', '', 20, 5000)]),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', [row(1, 'x', '', 5, 30_000)]),
      checkAnswer('w', [
        { r: { a: 1, b: 'x' }, window_start: 0, n: 3, total: 1101 },
        { r: { a: 2, b: 'x' }, window_start: 0, n: 2, total: 30 },
      ]),
    ], { checkpointDir: tempDir(`row-key-window-${backend}-`), settings });
  });
});
