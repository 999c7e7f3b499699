/**
 * The task workers' heaps start larger than V8's default.
 *
 * V8 collects a heap in full whenever the ArrayBuffers allocated since the last collection, added to
 * the heap, pass a limit that starts from the heap's initial size. A task allocates every batch's
 * columns afresh (about 1 KB an event for q7), so a worker starting from V8's small default collected
 * 60–70 times in a 2 M event run, each collection's marking and sweeping on V8's helper threads, which
 * compete with the two tasks for the machine's two cores (bench/README.md, "The task workers' heaps").
 * Started at 64 MB of old space, a worker collects a few times; q7 at parallelism 2 runs in 5.1–5.4 s
 * instead of 6.0–6.3.
 *
 * V8 reads the size from a process-wide flag when it makes an isolate, which for a worker is when its
 * thread starts. So the flag is set just before the query's workers are created and set back once
 * every one of them is running: the query's own thread, already made, and the workers the embedding
 * program starts later keep V8's default. A process started with its own initial heap size on the
 * command line (`node --initial-old-space-size=…`; Node does not take it from NODE_OPTIONS) is left
 * as its owner set it; one that sets the flag at run time (`v8.setFlagsFromString`) has it set back
 * to V8's default after a parallel query starts.
 */
import * as v8 from 'node:v8';
import type { Worker } from 'node:worker_threads';

/** The initial old-space size of a task worker's heap, in MB. */
export const TASK_INITIAL_OLD_SPACE_MB = 64;

/** How many sets of workers are starting with the flag set: the last one to be running sets it back. */
let starting = 0;

/** How many starts are waiting for their workers to run (0: the flag is V8's default again). For tests. */
export const startsInProgress = (): number => starting;

/** True when the process's own options set V8's initial heap size: Weir then sets no flag. */
export function ownHeapSizeFlag(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => /^--initial[-_](?:old[-_]space|heap)[-_]size(?:=|$)/.test(a));
}

/**
 * `count` workers made by `make`, their heaps started at TASK_INITIAL_OLD_SPACE_MB; the flag goes
 * back to V8's default (0: V8 chooses) once each worker is running, or has failed or exited before it
 * ran. When making one throws (no thread left to start), those already made are terminated.
 */
export function startWithTaskHeap(count: number, make: (index: number) => Worker): Worker[] {
  const own = ownHeapSizeFlag(process.execArgv, process.env['NODE_OPTIONS']);
  if (!own) {
    v8.setFlagsFromString(`--initial-old-space-size=${TASK_INITIAL_OLD_SPACE_MB}`);
    starting++;
  }
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < count; i++) workers.push(make(i));
  } catch (e) {
    for (const w of workers) void w.terminate();
    if (!own) settle();
    throw e;
  }
  if (own) return workers;
  let waiting = workers.length;
  if (waiting === 0) settle();
  for (const w of workers) {
    const events = ['online', 'error', 'exit'] as const;
    const running = (): void => {
      for (const ev of events) w.off(ev, running);
      if (--waiting === 0) settle();
    };
    for (const ev of events) w.on(ev, running);
  }
  return workers;
}

function settle(): void {
  if (--starting === 0) v8.setFlagsFromString('--initial-old-space-size=0');
}
