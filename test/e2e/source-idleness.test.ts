/**
 * Watermarks per input and Flink's `source.idle-timeout`: progress shows each input's max event time
 * and watermark and names the input holding the query's watermark back; an input quiet for its
 * timeout (on the engine's clock) stops holding it back, so a window fires; rows make it active
 * again; the watermark stays monotonic and survives a restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WeirError } from '../../src/common/errors.js';
import { formatProgressLine } from '../../src/cli/progress-line.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { addData, advanceClock, checkAnswer, checkProgress, stopAndRestart, testStream } from '../support/stream-test.js';

const tables = (aOptions = '', bOptions = ''): string => `
  CREATE TABLE a (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory'${aOptions});
  CREATE TABLE b (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory'${bOptions});
  CREATE TABLE w (ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
  CREATE VIEW u AS SELECT k, ts FROM a UNION ALL SELECT k, ts FROM b;
`;
const WINDOW = `INSERT INTO w SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end;`;

describe('watermarks per input', () => {
  it('progress shows each input and names the one holding the watermark back; without a timeout it holds it forever', async () => {
    await testStream(tables() + WINDOW, [
      addData('b', [{ k: 'x', ts: 500 }]),
      addData('a', [{ k: 'x', ts: 1000 }, { k: 'y', ts: 25_000 }]),
      checkProgress((p) => {
        expect(p.sources.map((s) => s.eventTime)).toEqual([
          { max: '1970-01-01T00:00:25.000Z', watermark: '1970-01-01T00:00:24.000Z' },
          { max: '1970-01-01T00:00:00.500Z', watermark: '1969-12-31T23:59:59.500Z' },
        ]);
        expect(p.sources.map((s) => s.idle)).toEqual([false, false]);
        expect(p.eventTime.watermarkHeldBackBy).toBe('b');
      }),
      advanceClock(3_600_000),
      checkAnswer('w', []), // b holds the watermark at 0 s: [0, 10) stays open
    ]);
  });

  it('an idle input stops holding the watermark back after the timeout, and holds it again when rows arrive', async () => {
    await testStream(tables('', ", 'source.idle-timeout' = '5 s'") + WINDOW, [
      addData('b', [{ k: 'x', ts: 500 }]),
      addData('a', [{ k: 'x', ts: 1000 }, { k: 'y', ts: 25_000 }]),
      advanceClock(4000),
      checkAnswer('w', []), // b quiet for 4 s of 5: still holds it
      checkProgress((p) => expect(p.eventTime.watermarkHeldBackBy).toBe('b')),
      advanceClock(1000),
      // b idle: the watermark is a's 24 s, so [0, 10) and [10, 20) close (the latter empty)
      checkAnswer('w', [{ ws: 0, n: 2 }]),
      checkProgress((p) => {
        expect(formatProgressLine(p, false)).toContain('watermark 1970-01-01T00:00:24.000Z (a 00:00:24.000, b idle; held back by a)');
        expect(p.eventTime.watermark).toBe('1970-01-01T00:00:24.000Z');
        expect(p.sources.map((s) => s.idle)).toEqual([false, true]);
        expect(p.eventTime.watermarkHeldBackBy).toBe('a');
      }),
      // b wakes up with a row behind the watermark: late (dropped), the watermark does not go back
      addData('b', [{ k: 'z', ts: 3000 }, { k: 'z', ts: 28_000 }, { k: 'z', ts: 31_000 }]),
      checkProgress((p) => {
        expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1);
        expect(p.sources.map((s) => s.idle)).toEqual([false, false]);
        expect(p.eventTime.watermark).toBe('1970-01-01T00:00:24.000Z');
      }),
      addData('a', [{ k: 'y', ts: 40_000 }]),
      // b holds the watermark back again (30 s, a is at 39 s): [20, 30) closes with a's 25 s and b's 28 s
      checkAnswer('w', [{ ws: 0, n: 2 }, { ws: 20_000, n: 2 }]),
      checkProgress((p) => {
        expect(p.eventTime.watermarkHeldBackBy).toBe('b');
        expect(formatProgressLine(p, false)).toContain('(a 00:00:39.000, b 00:00:30.000; held back by b)');
      }),
    ]);
  });

  it("SET 'table.exec.source.idle-timeout' applies to every input; a table's own option wins", async () => {
    // a's own 0 turns idleness off for it; b gets the setting's 2 s
    await testStream(`SET 'table.exec.source.idle-timeout' = '2 s';` + tables(", 'source.idle-timeout' = '0'") + WINDOW, [
      addData('a', [{ k: 'x', ts: 15_000 }]),
      addData('b', [{ k: 'x', ts: 1000 }]),
      advanceClock(2000),
      checkAnswer('w', [{ ws: 0, n: 1 }]), // b idle after 2 s: watermark 14 s closes [0, 10)
      addData('b', [{ k: 'x', ts: 30_000 }]),
      advanceClock(60_000), // a never goes idle: [10, 20) stays open
      checkAnswer('w', [{ ws: 0, n: 1 }]),
    ]);
  });

  it('the watermark an idle input let move survives a restart', async () => {
    const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-idle-'));
    await testStream(tables('', ", 'source.idle-timeout' = '5 s'") + WINDOW, [
      addData('b', [{ k: 'x', ts: 500 }]),
      addData('a', [{ k: 'x', ts: 1000 }, { k: 'y', ts: 25_000 }]),
      advanceClock(5000),
      checkAnswer('w', [{ ws: 0, n: 2 }]),
      stopAndRestart(),
      // after the restart b counts as active again, but the watermark stays at 24 s: b's old rows are late
      addData('b', [{ k: 'z', ts: 2000 }]),
      checkProgress((p) => {
        expect(p.eventTime.watermark).toBe('1970-01-01T00:00:24.000Z');
        expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1);
        expect(p.sources[0]!.eventTime.max).toBe('1970-01-01T00:00:25.000Z');
      }),
      checkAnswer('w', [{ ws: 0, n: 2 }]),
    ], { checkpointDir });
  });

  it('a bad duration is an error at the option, or names the setting', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const sql = tables('', ", 'source.idle-timeout' = 'soon'") + WINDOW;
    const error = await engine.execute(sql).then(() => undefined, (e: unknown) => e as WeirError);
    expect(error?.message).toMatch(/table 'b': option 'source\.idle-timeout' = 'soon': expected a duration/);
    expect(error?.span?.line).toBe(3); // b's CREATE TABLE, at the option
    expect(sql.split('\n')[2]!.slice(error!.span!.column - 1)).toMatch(/^'source\.idle-timeout'/);
    await engine.stop();
    const e2 = new Engine({ clock: new ManualClock(0) });
    await expect(e2.execute(`SET 'table.exec.source.idle-timeout' = '-1 s';` + tables() + WINDOW))
      .rejects.toThrow(/SET 'table\.exec\.source\.idle-timeout' = '-1 s': expected a duration/);
    await e2.stop();
  });

  it('the option is refused on a sink-only connector', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    await expect(engine.execute(tables() + `CREATE TABLE p (ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'blackhole', 'source.idle-timeout' = '1 s');
      INSERT INTO p SELECT ts, 1 FROM a;`)).rejects.toThrow(/unknown option 'source\.idle-timeout'/);
    await engine.stop();
  });
});
