/**
 * The task workers' larger initial heap (task-heap.ts): the flag is left alone when the process set
 * its own, and the workers started through it run (their 'online', 'error' or 'exit' each settles the
 * start, also when a worker fails before it runs). What the size does to a run is measured in
 * bench/README.md, not here: V8's collection heuristics are not a test's to pin.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ownHeapSizeFlag, startWithTaskHeap } from '../../../src/executor/parallel/task-heap.js';

describe('the task workers\' initial heap', () => {
  it('leaves V8\'s flag as the process\'s own options set it', () => {
    expect(ownHeapSizeFlag([], undefined)).toBe(false);
    expect(ownHeapSizeFlag(['--enable-source-maps'], '--max-old-space-size=4096')).toBe(false);
    expect(ownHeapSizeFlag(['--initial-old-space-size=32'], undefined)).toBe(true);
    expect(ownHeapSizeFlag([], '--trace-warnings --initial_heap_size=100')).toBe(true);
    expect(ownHeapSizeFlag([], '--initial-heap-size')).toBe(true);
    // a longer flag with the same start is another flag
    expect(ownHeapSizeFlag(['--initial-old-space-size-x=1'], undefined)).toBe(false);
  });

  it('starts workers that run, and one that fails before it runs does not hold the start open', async () => {
    const workers = startWithTaskHeap(() => [
      new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', { eval: true }),
      new Worker('throw new Error("broken at load")', { eval: true }),
    ]);
    expect(workers).toHaveLength(2);
    const answer = await new Promise((resolve) => workers[0]!.once('message', resolve));
    expect(answer).toBe(42);
    const failed = await new Promise<Error>((resolve) => workers[1]!.once('error', resolve));
    expect(failed.message).toContain('broken at load');
    await Promise.all(workers.map((w) => w.terminate()));
    // a second start after both settled works alike
    const again = startWithTaskHeap(() => [new Worker('require("node:worker_threads").parentPort.postMessage("ok")', { eval: true })]);
    expect(await new Promise((resolve) => again[0]!.once('message', resolve))).toBe('ok');
    await again[0]!.terminate();
  });
});
