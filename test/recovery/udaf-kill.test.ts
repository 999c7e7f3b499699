/**
 * A UDAF's accumulators survive SIGKILL: `weir run` of a keyed wavg (update mode) and a TUMBLE
 * window wavg (append) over JSON files taken one per trigger, killed at three seeded moments and
 * restarted from its checkpoint until it finishes; the sinks must equal DuckDB's answer exactly.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonical, committedRows, duckdb, ensureBuilt, killLoop, lastRowPerKey, removeTempDirs, tempDir } from '../support/recovery.js';
import { writeInput } from './kill-scenario.js';

beforeAll(ensureBuilt, 180_000);
afterAll(removeTempDirs);

const SEED = Number(process.env.UDAF_KILL_SEED ?? 5150);

it('keeps UDAF state across three SIGKILLs: equal to DuckDB', async () => {
  const dir = tempDir('udaf-kill-');
  writeInput(path.join(dir, 'in'), SEED);
  copyFileSync(path.join(__dirname, '..', 'e2e', 'fixtures', 'functions', 'wavg.mjs'), path.join(dir, 'wavg.mjs'));
  writeFileSync(path.join(dir, 'q.sql'), `
CREATE FUNCTION wavg AS 'wavg.mjs';
CREATE TABLE src (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '10' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json', 'source.max-files-per-trigger' = '1');
CREATE TABLE keyed (k STRING, wa DOUBLE) WITH ('connector' = 'filesystem', 'path' = 'out/keyed', 'format' = 'json');
CREATE TABLE windows (k STRING, window_start TIMESTAMP(3), wa DOUBLE) WITH ('connector' = 'filesystem', 'path' = 'out/windows', 'format' = 'json');
SET 'output-mode' = 'update';
INSERT INTO keyed SELECT k, wavg(v, CHAR_LENGTH(k)) FROM src GROUP BY k;
SET 'output-mode' = 'append';
INSERT INTO windows SELECT k, window_start, wavg(v, 2) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND))
  GROUP BY k, window_start, window_end;
`);
  const result = await killLoop(['run', 'q.sql', '--checkpoint', 'cp'], dir, { kills: 3, seed: SEED, maxBatches: 8, maxDelayMs: 120 });
  expect(result.kills).toBe(3);
  const src = `read_json('${dir}/in/*.json', format = 'newline_delimited', columns = {k: 'VARCHAR', v: 'INTEGER', ts: 'TIMESTAMP'})`;
  const keyed = await duckdb(`SELECT k, SUM(v * length(k))::DOUBLE / SUM(length(k)) AS wa FROM ${src} GROUP BY k`);
  const windows = await duckdb(`SELECT k, (epoch_ms(ts) // 5000) * 5000 AS ws, SUM(v * 2)::DOUBLE / SUM(2) AS wa FROM ${src} GROUP BY ALL`);
  expect(canonical(lastRowPerKey(committedRows(path.join(dir, 'out', 'keyed')), ['k']))).toEqual(canonical(keyed));
  const got = committedRows(path.join(dir, 'out', 'windows')).map((r) => ({ k: r.k, ws: Date.parse(r.window_start as string), wa: r.wa }));
  expect(canonical(got)).toEqual(canonical(windows.map((r) => ({ k: r.k, ws: Number(r.ws), wa: r.wa }))));
}, 120_000);
