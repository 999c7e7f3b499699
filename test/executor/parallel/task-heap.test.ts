/**
 * The task workers' larger initial heap (task-heap.ts): the flag is left alone when the process set
 * its own on the command line; a start settles (the flag goes back to V8's default) once each of its
 * workers ran, failed or exited, also when one fails before it runs; a start whose next worker cannot
 * be made terminates those it made. What the size does to a run is measured in bench/README.md, not
 * here: V8's collection heuristics are not a test's to pin.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ownHeapSizeFlag, startsInProgress, startWithTaskHeap } from '../../../src/executor/parallel/task-heap.js';

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

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

  it('settles once each worker ran or failed before it ran; the workers run', async () => {
    expect(startsInProgress()).toBe(0);
    const workers = startWithTaskHeap(2, (i) => (i === 0
      ? new Worker('setTimeout(() => require("node:worker_threads").parentPort.postMessage(6 * 7), 100)', { eval: true })
      : new Worker('throw new Error("broken at load")', { eval: true })));
    expect(startsInProgress()).toBe(1);
    // both listened for at once: the second worker fails while the first one's answer is awaited
    // (it answers late on purpose; an 'error' nobody listens for is thrown, as under a loaded full run)
    const answered = once(workers[0]!, 'message') as Promise<[number]>;
    const broke = once(workers[1]!, 'error') as Promise<[Error]>;
    const [[answer], [failed]] = await Promise.all([answered, broke]);
    expect(answer).toBe(42);
    expect(failed.message).toContain('broken at load');
    await until(() => startsInProgress() === 0);
    expect(startsInProgress()).toBe(0);
    // the start's own listeners are gone: only the test's remain
    expect(workers[0]!.listenerCount('online') + workers[0]!.listenerCount('exit')).toBe(0);
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('terminates the workers it made when the next cannot be made, and settles', async () => {
    let first: Worker | undefined;
    expect(() => startWithTaskHeap(3, (i) => {
      if (i === 1) throw new Error('no thread left');
      first = new Worker('setInterval(() => {}, 1000)', { eval: true });
      return first;
    })).toThrow('no thread left');
    expect(startsInProgress()).toBe(0);
    // it keeps running until terminated (a timer): it exits, or the test times out
    await once(first!, 'exit');
  }, 10_000);
});
