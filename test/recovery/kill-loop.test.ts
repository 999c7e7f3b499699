/**
 * The kill -9 loop: a windowed query (append) and keyed aggregations (update, complete), each on the
 * filesystem and on the lmdb state backend, all in one process killed with SIGKILL at six seeded
 * random moments and restarted from the checkpoint until it finishes; what every sink's manifests
 * list must equal DuckDB's answer exactly (kill-scenario.ts). Runs the CLI on dist/.
 */
import { afterAll, beforeAll, it } from 'vitest';
import { ensureBuilt, removeTempDirs, tempDir } from '../support/recovery.js';
import { runKillScenario } from './kill-scenario.js';

beforeAll(ensureBuilt, 180_000);
afterAll(removeTempDirs);

it('survives six SIGKILLs on both state backends: no row lost, none twice', async () => {
  await runKillScenario(tempDir('kill-'), 4242);
}, 150_000);
