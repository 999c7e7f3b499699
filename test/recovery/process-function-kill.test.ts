/**
 * A process function's keyed state and timers survive SIGKILL: `weir run` of the README's fraud
 * example over JSON files taken one per trigger, killed at three seeded moments and restarted from
 * its checkpoint until it finishes; the alerts the sink committed must equal the plain JS model's.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fraudModel, payments } from '../support/fraud-model.js';
import { committedRows, ensureBuilt, killLoop, removeTempDirs, tempDir } from '../support/recovery.js';

beforeAll(ensureBuilt, 180_000);
afterAll(removeTempDirs);

const SEED = Number(process.env.PF_KILL_SEED ?? 7411);
// enough files that three runs, each killed after up to 8 batches plus 120 ms (several more batches on a
// fast machine), never use them all up before the third kill
const FILES = 72;

it('keeps process function state and timers across three SIGKILLs: equal to the model', async () => {
  const dir = tempDir('ptf-kill-');
  const rows = payments(FILES * 25, SEED);
  mkdirSync(path.join(dir, 'in'));
  for (let i = 0; i < FILES; i++) {
    const part = rows.slice(i * 25, (i + 1) * 25).map((r) => JSON.stringify({ ...r, ts: r.ts }));
    writeFileSync(path.join(dir, 'in', `f${String(i).padStart(3, '0')}.json`), part.join('\n') + '\n');
  }
  copyFileSync(path.join(__dirname, '..', '..', 'examples', 'fraud', 'decline-alerts.mjs'), path.join(dir, 'decline-alerts.mjs'));
  writeFileSync(path.join(dir, 'q.sql'), `
CREATE FUNCTION decline_alerts AS 'decline-alerts.mjs';
CREATE TABLE payments (card STRING, amount DOUBLE, status STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json', 'source.max-files-per-trigger' = '1');
CREATE TABLE alerts (card STRING, alert_time TIMESTAMP(3), declines INT, alert_no INT)
  WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'json');
INSERT INTO alerts SELECT card, alert_time, declines, alert_no FROM TABLE(decline_alerts(TABLE payments PARTITION BY card));
`);
  const result = await killLoop(['run', 'q.sql', '--checkpoint', 'cp'], dir, { kills: 3, seed: SEED, maxBatches: 8, maxDelayMs: 120 });
  expect(result.kills).toBe(3);
  const got = committedRows(path.join(dir, 'out')).map((r) => ({ ...r, alert_time: Date.parse(r.alert_time as string) }));
  const want = fraudModel(rows);
  expect(want.length).toBeGreaterThan(5);
  const key = (r: object): string => `${String((r as Record<string, unknown>).card)}/${String((r as Record<string, unknown>).alert_no)}`;
  expect(new Map(got.map((r) => [key(r), r]))).toEqual(new Map(want.map((r) => [key(r), r])));
  expect(got.length).toBe(want.length);
}, 120_000);
