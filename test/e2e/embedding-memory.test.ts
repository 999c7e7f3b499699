/**
 * Flat memory in an embedding service: bench/embedding-memory.js writes events into a memory table
 * through write(), a TUMBLE query's results are taken through stream() and a keyed update query's
 * through rows(); the heap after a full GC must not grow once warmed up (the 10 M-event figure is in
 * bench/README.md). Before the input was released and outputs kept only what their mode needs, the
 * same run grew by ~70 bytes an event.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'embedding-memory.js');

interface Summary {
  events: number; heapGrowthMB: number; windowRows: number; perKeyRows: number; keptInputBatches: number; samples: number;
}

async function measure(args: string[]): Promise<Summary> {
  const { stdout } = await run(process.execPath, [SCRIPT, ...args, '--json'], { timeout: 240_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Summary;
}

describe('an embedding service keeps flat memory', () => {
  it('10 000-row Arrow writes: 600 000 events, heap flat after warm-up, results complete', async () => {
    const s = await measure(['--events', '600000', '--every', '50000']);
    expect(s.samples).toBe(12);
    expect(s.windowRows).toBe(60 * 1000); // 600 s of event time, 10 s windows, 1000 keys: every window arrived
    expect(s.perKeyRows).toBe(1000);
    expect(s.keptInputBatches).toBeLessThanOrEqual(2);
    expect(s.heapGrowthMB).toBeLessThan(4); // ~70 bytes an event would be 30+ MB here
  }, 240_000);

  it('10-row object writes: 60 000 events, heap flat after warm-up', async () => {
    const s = await measure(['--events', '60000', '--every', '5000', '--small-pushes']);
    expect(s.windowRows).toBe(6 * 1000);
    expect(s.heapGrowthMB).toBeLessThan(4);
  }, 240_000);
});
