/**
 * Partition commit inside a running query: the micro-batch loop hands the filesystem sink each
 * batch's watermark, and the success-file policy writes `_SUCCESS` in a partition once the watermark
 * is past its time plus 'sink.partition-commit.delay' — not before, and not for later partitions.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { tempDir } from '../support/cli.js';

describe('partition-time commit in a streaming query', () => {
  it('writes _SUCCESS for a minute once the watermark passes its end plus the delay', async () => {
    const out = tempDir();
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE clicks (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
      CREATE TABLE logged (id BIGINT, dt STRING, hm STRING) PARTITIONED BY (dt, hm) WITH (
        'connector' = 'filesystem', 'path' = '${out}', 'format' = 'json',
        'sink.partition-commit.trigger' = 'partition-time', 'sink.partition-commit.delay' = '1 min',
        'sink.partition-commit.policy.kind' = 'success-file', 'partition.time-extractor.timestamp-pattern' = '$dt $hm:00');
      INSERT INTO logged SELECT id, DATE_FORMAT(ts, 'yyyy-MM-dd'), DATE_FORMAT(ts, 'HH:mm') FROM clicks;`);
    const success = (hm: string): boolean => existsSync(path.join(out, 'dt=2026-11-23', `hm=${hm.replace(':', '%3A')}`, '_SUCCESS'));
    const push = async (id: number, ts: string): Promise<void> => {
      engine.input('clicks').push([{ id, ts: Date.parse(`2026-11-23T${ts}Z`) }]);
      await q!.processAllAvailable();
    };
    try {
      await push(1, '10:00:10'); // batch 0 runs with no watermark yet
      await push(2, '10:02:30'); // batch 1: watermark 10:00:09
      expect(existsSync(path.join(out, 'dt=2026-11-23', 'hm=10%3A02'))).toBe(true);
      expect(success('10:00')).toBe(false);
      await push(3, '10:02:31'); // batch 2: watermark 10:02:29 > 10:00 + 1 min
      expect(success('10:00')).toBe(true);
      expect(success('10:02')).toBe(false);
    } finally {
      await engine.stop();
    }
  });
});
