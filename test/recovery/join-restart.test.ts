/**
 * Joins stopped and restarted on their checkpoint, on both state backends: the rows each side keeps
 * (columnar blocks in the state store, with their match counts and expiry) come back, so a match
 * that arrives after the restart finds its partner, an outer row matched before the restart is not
 * padded again, and one that never matched is padded once when the watermark passes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addData, checkAnswer, checkProgress, execute, stopAndRestart, testStream } from '../support/stream-test.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';

afterEach(removeTempDirs);

const TABLES = `
  CREATE TABLE a (k INT, x STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE b (k INT, y STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE out (k INT, x STRING, y STRING) WITH ('connector' = 'memory');`;

const INTERVAL_LEFT = `${TABLES}
  INSERT INTO out SELECT a.k, a.x, b.y FROM a LEFT JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '5' SECOND;`;

const REGULAR_FULL = `${TABLES}
  INSERT INTO out SELECT COALESCE(a.k, b.k), a.x, b.y FROM a FULL JOIN b ON a.k = b.k;`;

for (const backend of ['filesystem', 'lmdb']) {
  describe(`join state across restarts (${backend})`, () => {
    it('an interval LEFT JOIN keeps both sides, matches after the restart and pads the unmatched once', async () => {
      await testStream(INTERVAL_LEFT, [
        addData('a', [{ k: 1, x: 'a1', ts: 1000 }, { k: 2, x: 'a2', ts: 1000 }, { k: 3, x: 'a3', ts: 2000 }, { k: 4, x: 'a4', ts: 1000 }]),
        addData('b', [{ k: 1, y: 'b1', ts: 1500 }, { k: 4, y: 'b4', ts: 1200 }]),
        checkAnswer('out', [{ k: 1, x: 'a1', y: 'b1' }, { k: 4, x: 'a4', y: 'b4' }]),
        stopAndRestart(),
        // a1 is still in state: a second match; a3 meets its match; a2 never does; a4 matched only before
        addData('b', [{ k: 1, y: 'b1bis', ts: 2500 }, { k: 3, y: 'b3', ts: 3000 }]),
        stopAndRestart({ dropLastCommit: true }),
        checkAnswer('out', [{ k: 1, x: 'a1', y: 'b1' }, { k: 4, x: 'a4', y: 'b4' }, { k: 1, x: 'a1', y: 'b1bis' }, { k: 3, x: 'a3', y: 'b3' }]),
        // both watermarks pass 7 s (a row expires 5 s after its ts): a2 is padded, a1 and a3 are not
        addData('a', [{ k: 9, x: 'a9', ts: 20_000 }]),
        addData('b', [{ k: 8, y: 'b8', ts: 20_000 }]),
        addData('a', [{ k: 9, x: 'a9bis', ts: 20_000 }]),
        checkAnswer('out', [
          { k: 1, x: 'a1', y: 'b1' }, { k: 4, x: 'a4', y: 'b4' }, { k: 1, x: 'a1', y: 'b1bis' }, { k: 3, x: 'a3', y: 'b3' },
          { k: 2, x: 'a2', y: null },
        ]),
        checkProgress((p) => expect(p.stateOperators[0]!.numRowsTotal).toBe(3)), // a9, a9bis, b8
      ], { checkpointDir: tempDir(`join-interval-${backend}-`), settings: { 'state.backend': backend } });
    });

    it('a regular FULL JOIN retracts a padded row whose match arrives after the restart', async () => {
      await testStream(REGULAR_FULL, [
        addData('a', [{ k: 1, x: 'a1', ts: 0 }, { k: 2, x: 'a2', ts: 0 }, { k: 5, x: 'a5', ts: 0 }]),
        addData('b', [{ k: 3, y: 'b3', ts: 0 }, { k: 5, y: 'b5', ts: 0 }]),
        checkAnswer('out', [{ k: 1, x: 'a1', y: null }, { k: 2, x: 'a2', y: null }, { k: 3, x: null, y: 'b3' }, { k: 5, x: 'a5', y: 'b5' }]),
        stopAndRestart(),
        addData('b', [{ k: 1, y: 'b1', ts: 0 }]),
        addData('a', [{ k: 3, x: 'a3', ts: 0 }]),
        stopAndRestart({ dropLastCommit: true }),
        checkAnswer('out', [{ k: 1, x: 'a1', y: 'b1' }, { k: 2, x: 'a2', y: null }, { k: 3, x: 'a3', y: 'b3' }, { k: 5, x: 'a5', y: 'b5' }]),
        // a5 matched before the restart: its second match retracts no padded row (it has none)
        addData('b', [{ k: 2, y: 'b2', ts: 0 }, { k: 2, y: 'b2bis', ts: 0 }, { k: 5, y: 'b5bis', ts: 0 }]),
        checkAnswer('out', [
          { k: 1, x: 'a1', y: 'b1' }, { k: 2, x: 'a2', y: 'b2' }, { k: 2, x: 'a2', y: 'b2bis' }, { k: 3, x: 'a3', y: 'b3' },
          { k: 5, x: 'a5', y: 'b5' }, { k: 5, x: 'a5', y: 'b5bis' },
        ]),
        execute((env) => {
          const deletes = env.engine.output('out').changes().filter((c) => c.kind === 'delete').map((c) => c.row);
          expect(deletes).toEqual([{ k: 5, x: 'a5', y: null }, { k: 1, x: 'a1', y: null }, { k: 3, x: null, y: 'b3' }, { k: 2, x: 'a2', y: null }]);
        }),
        checkProgress((p) => expect(p.stateOperators[0]!.numRowsTotal).toBe(10)),
      ], { checkpointDir: tempDir(`join-full-${backend}-`), settings: { 'state.backend': backend } });
    });
  });
}
