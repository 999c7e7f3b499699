/**
 * Event-time timers over random rows, random batch splits and a restart at a random point (seed
 * printed, replay with PF_TIMER_SEED): every timer registered fires exactly once (one per key and
 * time), never before the watermark reaches it, and each key's timers fire in time order, but for a
 * timer registered late (at a time the watermark had reached: a late row with a short delay), which
 * fires at the next batch's start, as Flink fires a timer registered in the past.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { seeded } from '../support/oracle.js';
import { runSplitWithRestart } from '../support/restart-run.js';

const FX = path.join(__dirname, 'fixtures', 'process');
const SEED = Number(process.env.PF_TIMER_SEED ?? Math.floor(Math.random() * 2 ** 31));
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const SQL = `
  CREATE FUNCTION every_timer AS '${FX}/every-timer.mjs';
  CREATE TABLE t (k STRING, d INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE out (k STRING, fired_at BIGINT, wm BIGINT, late BOOLEAN) WITH ('connector' = 'memory');
  INSERT INTO out SELECT * FROM TABLE(every_timer(TABLE t PARTITION BY k));`;

it('fires every timer once, at or after the watermark reaches it, in time order per key', async () => {
  console.log(`process-timers-property.test.ts seed ${SEED} (replay with PF_TIMER_SEED=${SEED})`);
  for (let round = 0; round < 2; round++) {
    const r = seeded(SEED + round);
    let t = 1_000_000;
    const rows = Array.from({ length: 200 }, () => {
      t += Math.floor(r() * 3000);
      // some rows out of order, some late; delays from 0 to 20 s, on a coarse grid so times repeat
      return { k: `k${Math.floor(r() * 4)}`, d: 1000 * Math.floor(r() * 20), ts: t - Math.floor(r() * 4000) };
    });
    const engine = await runSplitWithRestart({ sql: SQL, input: 't', rows, r, maxBatch: 25, tmpPrefix: 'weir-ptf-timers-', dirs });
    const got = engine.output('out').rows() as { k: string; fired_at: number; wm: number | null; late: boolean }[];
    const want = [...new Set(rows.map((x) => `${x.k}/${x.ts + x.d}`))].sort();
    expect(got.map((x) => `${x.k}/${x.fired_at}`).sort(), `seed ${SEED + round}`).toEqual(want);
    for (const x of got) if (x.wm !== null) expect(x.fired_at, `seed ${SEED + round}`).toBeLessThanOrEqual(x.wm);
    for (const k of ['k0', 'k1', 'k2', 'k3']) {
      const onTime = got.filter((x) => x.k === k && !x.late).map((x) => x.fired_at);
      expect(onTime, `seed ${SEED + round}: key ${k}`).toEqual([...onTime].sort((a, b) => a - b));
    }
  }
}, 60_000);
