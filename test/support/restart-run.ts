/**
 * Runs a streaming INSERT over `rows` pushed into memory table `input` in random batches (1 to
 * `maxBatch` rows, drawn from `r`), stopping the engine at a random point and restarting it from
 * its checkpoint, then ends the input and waits for the query to finish. What property tests of
 * "any split, any restart" share; the caller reads the output table off the engine returned.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

export interface RestartRun {
  readonly sql: string;
  readonly input: string;
  readonly rows: readonly object[];
  /** the seeded random source (test/support/oracle.ts seeded) */
  readonly r: () => number;
  readonly maxBatch: number;
  /** the checkpoint directory is made under the OS temp dir with this prefix and pushed to `dirs` (removed by the caller) */
  readonly tmpPrefix: string;
  readonly dirs: string[];
}

export async function runSplitWithRestart(o: RestartRun): Promise<Engine> {
  const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), o.tmpPrefix));
  o.dirs.push(checkpointDir);
  const clock = new ManualClock(0);
  let engine = new Engine({ clock, checkpointDir });
  let [q] = await engine.execute(o.sql);
  const restartAt = Math.floor(o.r() * o.rows.length);
  let restarted = false;
  for (let i = 0; i < o.rows.length;) {
    const n = 1 + Math.floor(o.r() * o.maxBatch);
    engine.input(o.input).push(o.rows.slice(i, i + n));
    await q!.processAllAvailable();
    i += n;
    if (!restarted && i >= restartAt) {
      restarted = true;
      await engine.stop();
      engine = new Engine({ clock, checkpointDir, memoryTables: engine.memoryTables });
      [q] = await engine.execute(o.sql);
      await q!.processAllAvailable();
    }
  }
  engine.input(o.input).end();
  await q!.awaitTermination(10_000);
  return engine;
}
