/**
 * An exchange: rows cut by the key group of their key, so that rows with equal keys meet in the one
 * task that owns the key group (and the state of that key). The key is encoded with the key codec
 * (the same strings state is keyed by), hashed (murmur3, key-hash.ts; key-hash-columns.ts without
 * making the strings for integer keys) into one of
 * `maxParallelism` key groups, and key group g belongs to task floor(g × tasks / maxParallelism), as
 * in Flink. A chunk is cut with typed arrays of row indices per task, then each task's rows are
 * gathered into new Arrow buffers (no JS object per row).
 */
import type { Schema } from '../../common/schema.js';
import { takeBatch } from '../../common/take.js';
import type { BoundExpr } from '../../planner/expr.js';
import { compileExpr, type ExprContext } from '../expr/compile.js';
import { KeyCodec } from '../keys/key-codec.js';
import { hashKeyColumns } from '../keys/key-hash-columns.js';
import { keyGroupOf } from '../keys/key-hash.js';
import type { Chunk } from '../operators/operator.js';

/** The task that owns key group `group` at `tasks` tasks of `maxParallelism` key groups. */
export const taskOfKeyGroup = (group: number, tasks: number, maxParallelism: number): number => Math.floor((group * tasks) / maxParallelism);

export class HashExchange {
  private readonly kernels: ((b: Chunk['batch']) => import('apache-arrow').Data)[];
  private readonly codec: KeyCodec;
  /** the task of every key group, worked out once */
  private readonly taskOfGroup: Uint16Array;

  constructor(keys: readonly BoundExpr[], input: Schema, expr: ExprContext, private readonly tasks: number, private readonly maxParallelism: number) {
    this.kernels = keys.map((e) => compileExpr(e, input, expr));
    this.codec = new KeyCodec(keys.map((e) => e.type));
    this.taskOfGroup = new Uint16Array(maxParallelism);
    for (let g = 0; g < maxParallelism; g++) this.taskOfGroup[g] = taskOfKeyGroup(g, tasks, maxParallelism);
  }

  /** The task of each row of `b` (by its key's key group). */
  targets(b: Chunk['batch']): Uint16Array {
    const n = b.numRows;
    const hashes = hashKeyColumns(this.codec, this.kernels.map((k) => k(b)), n);
    const target = new Uint16Array(n);
    for (let i = 0; i < n; i++) target[i] = this.taskOfGroup[keyGroupOf(hashes[i]!, this.maxParallelism)]!;
    return target;
  }

  /** `chunk`'s rows cut into one chunk per task (undefined where a task gets no row). */
  cut(chunk: Chunk): (Chunk | undefined)[] {
    const b = chunk.batch;
    const n = b.numRows;
    const out: (Chunk | undefined)[] = new Array(this.tasks).fill(undefined);
    if (n === 0) return out;
    const target = this.targets(b);
    const counts = new Uint32Array(this.tasks);
    for (let i = 0; i < n; i++) counts[target[i]!]!++;
    for (let t = 0; t < this.tasks; t++) {
      if (counts[t] === n) { out[t] = chunk; return out; }
    }
    const rows = Array.from(counts, (c) => new Uint32Array(c));
    const fill = new Uint32Array(this.tasks);
    for (let i = 0; i < n; i++) { const t = target[i]!; rows[t]![fill[t]!++] = i; }
    for (let t = 0; t < this.tasks; t++) {
      const idx = rows[t]!;
      if (idx.length === 0) continue;
      const batch = takeBatch(b, idx);
      if (chunk.kinds) {
        const kinds = new Uint8Array(idx.length);
        for (let j = 0; j < idx.length; j++) kinds[j] = chunk.kinds[idx[j]!]!;
        out[t] = { batch, kinds };
      } else {
        out[t] = { batch };
      }
    }
    return out;
  }
}

/** A range of a batch's rows: a copy (not an Arrow slice with an offset, which not every kernel reads). */
export const copyRange = (b: Chunk['batch'], start: number, len: number): Chunk['batch'] => takeBatch(b, rangeIndices(start, len));

/**
 * The rows of a batch's source chunks split into `tasks` contiguous ranges: task
 * i reads rows [i·R/tasks, (i+1)·R/tasks) of the R rows in order, so an exchange that collects task
 * 0's rows, then task 1's, … keeps the rows of one key in their source order. `range` makes each
 * piece: a copy by default; the worker tasks take Arrow slices (copied once, into IPC).
 */
export function splitRange(chunks: readonly Chunk[], tasks: number, range = copyRange): Chunk[][] {
  const out: Chunk[][] = Array.from({ length: tasks }, () => []);
  const total = chunks.reduce((a, c) => a + c.batch.numRows, 0);
  let pos = 0;
  for (const c of chunks) {
    const n = c.batch.numRows;
    let start = 0;
    while (start < n) {
      const t = Math.min(tasks - 1, Math.floor(((pos + start) * tasks) / total));
      const end = Math.min(n, Math.ceil(((t + 1) * total) / tasks) - pos);
      const len = Math.max(1, end - start);
      const batch = start === 0 && len === n ? c.batch : range(c.batch, start, len);
      out[t]!.push(c.kinds ? { batch, kinds: c.kinds.subarray(start, start + len) } : { batch });
      start += len;
    }
    pos += n;
  }
  return out;
}

function rangeIndices(start: number, len: number): Uint32Array {
  const idx = new Uint32Array(len);
  for (let i = 0; i < len; i++) idx[i] = start + i;
  return idx;
}
