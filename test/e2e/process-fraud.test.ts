/**
 * The README's fraud example (examples/fraud): `weir run` of its script prints the alert, and its
 * process function's output equals a plain JS model (test/support/fraud-model.ts) over random
 * payments split into random batches, with a restart from the checkpoint at a random point
 * (seed printed, replay with PF_SEED).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { fraudModel, payments } from '../support/fraud-model.js';
import { seeded } from '../support/oracle.js';
import { runSplitWithRestart } from '../support/restart-run.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'fraud');
const SEED = Number(process.env.PF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

it('weir run examples/fraud/fraud.sql prints the alert of card 4111', async () => {
  const r = await runCli(['run', path.join(EXAMPLE, 'fraud.sql')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual(['+I[card=4111, alert_time=2026-12-01 10:00:45.000, declines=3, alert_no=1]']);
});

const SQL = `
  CREATE FUNCTION decline_alerts AS '${EXAMPLE}/decline-alerts.mjs';
  CREATE TABLE payments (card STRING, amount DOUBLE, status STRING, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE alerts (card STRING, alert_time TIMESTAMP(3), declines INT, alert_no INT) WITH ('connector' = 'memory');
  INSERT INTO alerts SELECT card, alert_time, declines, alert_no FROM TABLE(decline_alerts(TABLE payments PARTITION BY card));`;

it('equals the plain JS model over random batch splits and a restart', async () => {
  console.log(`process-fraud.test.ts seed ${SEED} (replay with PF_SEED=${SEED})`);
  for (let round = 0; round < 4; round++) {
    const seed = SEED + round;
    const r = seeded(seed);
    const rows = payments(400, seed);
    const engine = await runSplitWithRestart({ sql: SQL, input: 'payments', rows, r, maxBatch: 40, tmpPrefix: 'weir-fraud-', dirs });
    const got = engine.output('alerts').rows();
    const want = fraudModel(rows);
    expect(want.length, `seed ${seed}: the data makes alerts`).toBeGreaterThan(5);
    // one call per row in arrival order: the same order whatever the batches
    expect(got, `seed ${seed}`).toEqual(want);
  }
}, 60_000);
