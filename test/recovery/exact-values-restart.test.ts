/**
 * Exact BIGINT and DECIMAL values survive a checkpoint on both state backends: sums beyond 2^53 (held
 * as bigints in state), group keys 2^53 and 2^53 + 1, and DECIMAL sums of unscaled integers come back
 * exactly after a restart.
 */
import { afterEach, describe, it } from 'vitest';
import { addData, checkAnswer, stopAndRestart, testStream } from '../support/stream-test.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';

afterEach(removeTempDirs);

const P53 = 9007199254740992n;

const SQL = `
  CREATE TABLE t (k BIGINT, v BIGINT, d DECIMAL(18, 2)) WITH ('connector' = 'memory');
  CREATE TABLE o (k BIGINT, total BIGINT, dsum DECIMAL(38, 2), n BIGINT) WITH ('connector' = 'memory');
  INSERT INTO o SELECT k, SUM(v), SUM(d), COUNT(*) FROM t GROUP BY k;`;

describe.each(['filesystem', 'lmdb'] as const)('exact values across a restart (%s state backend)', (backend) => {
  it('keeps bigint sums, bigint keys and DECIMAL sums exact', async () => {
    await testStream(SQL, [
      addData('t', [
        { k: P53, v: P53, d: '12345678901234.56' }, { k: P53 + 1n, v: 1, d: '0.01' },
        { k: 5, v: 9000000000000000000n, d: '0.10' },
      ]),
      stopAndRestart(),
      addData('t', [
        { k: P53, v: 3, d: '0.01' }, { k: P53 + 1n, v: 2, d: '0.02' },
        { k: 5, v: -8999999999999999999n, d: '0.20' },
      ]),
      checkAnswer('o', [
        { k: P53, total: P53 + 3n, dsum: '12345678901234.57', n: 2 },
        { k: P53 + 1n, total: 3, dsum: 0.03, n: 2 },
        { k: 5, total: 1, dsum: 0.3, n: 2 },
      ]),
    ], { checkpointDir: tempDir(`exact-values-${backend}-`), settings: { 'state.backend': backend, 'output-mode': 'update' } });
  });

  it('keeps a 29-digit DECIMAL SUM (beyond 64 bits) and 38-digit keys exact', async () => {
    // DECIMAL(28, 2) values near 10^26: their sums pass 2^64 at once, held as bigints in state
    const big = '99999999999999999999999999.99', neg = '-12345678901234567890123456.78';
    const key = '1234567890123456789012345678.0123456789';
    await testStream(`
      CREATE TABLE t (k DECIMAL(38, 10), d DECIMAL(28, 2)) WITH ('connector' = 'memory');
      CREATE TABLE o (k DECIMAL(38, 10), s DECIMAL(38, 2), mx DECIMAL(28, 2), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, SUM(d), MAX(d), COUNT(*) FROM t GROUP BY k;`, [
      addData('t', [{ k: key, d: big }, { k: key, d: big }, { k: 1, d: neg }]),
      stopAndRestart(),
      addData('t', [{ k: key, d: big }, { k: 1, d: neg }, { k: key, d: '0.03' }]),
      checkAnswer('o', [
        { k: key, s: '300000000000000000000000000.00', mx: big, n: 4 },
        { k: 1, s: '-24691357802469135780246913.56', mx: neg, n: 2 },
      ]),
    ], { checkpointDir: tempDir(`exact-decimal38-${backend}-`), settings: { 'state.backend': backend, 'output-mode': 'update' } });
  });
});
