/**
 * The sources a task on a worker thread reads itself (SplittableSource): the nexmark generator (each
 * event a function of its number) and the filesystem source (the query's thread cuts a batch's files
 * into pieces at record boundaries, row groups or files). Task i reads piece i of each batch, in
 * parallel with the others. Made in the worker from the plan's source nodes (plain data), one source
 * per table as the query's thread makes them (start-query.ts sharedSources), reading the union of
 * the columns the table's scans read. Other sources are read by the query's thread and their rows
 * sent to the tasks.
 *
 * A connector's modules are imported when a plan reads it (the filesystem source brings its formats,
 * some forty modules a worker would otherwise load for a generator query).
 */
import type { Connector, SplittableSource } from '../../connectors/api.js';
import { withCurrentOptionNames } from '../../connectors/option-names.js';
import type { SourceNode } from '../../planner/incremental/physical.js';
import type { Chunk } from '../../executor/operators/operator.js';
import { selectColumns } from '../../executor/streaming/source-columns.js';
import { SystemClock } from '../../executor/streaming/clock.js';
import { readInTasks, type TASK_READ_CONNECTORS, type TaskRead, type TaskReadResult } from '../../executor/parallel/wire.js';

/** every connector readInTasks names (a missing one is a compile error), loaded when first read */
const CONNECTORS: Readonly<Record<(typeof TASK_READ_CONNECTORS)[number], () => Promise<Connector>>> = {
  nexmark: async () => (await import('../../connectors/nexmark/index.js')).nexmarkConnector,
  filesystem: async () => (await import('../../connectors/filesystem/index.js')).filesystemConnector,
};

export class TaskSources {
  private constructor(private readonly nodes: readonly SourceNode[], private readonly byTable: ReadonlyMap<string, SplittableSource>) {}

  /** The sources of the plan's source nodes the tasks read, one per table. */
  static async open(nodes: readonly SourceNode[], baseDir: string): Promise<TaskSources> {
    const byTable = new Map<string, SplittableSource>();
    try {
      await TaskSources.make(nodes, baseDir, byTable);
    } catch (e) {
      // the sources made before the one that failed are not left open
      await Promise.allSettled([...byTable.values()].map((s) => s.close()));
      throw e;
    }
    return new TaskSources(nodes, byTable);
  }

  private static async make(nodes: readonly SourceNode[], baseDir: string, byTable: Map<string, SplittableSource>): Promise<void> {
    const groups = new Map<string, SourceNode[]>();
    for (const n of nodes) {
      if (!n || !readInTasks(n)) continue;
      const k = n.table.name.toLowerCase();
      groups.set(k, [...(groups.get(k) ?? []), n]);
    }
    for (const [k, g] of groups) {
      const t = g[0]!.table;
      const columns = [...new Set(g.flatMap((n) => n.columns))].sort((a, b) => a - b);
      const fields = new Map<number, string[]>();
      for (const c of columns) {
        const parts = g.filter((n) => n.columns.includes(c)).map((n) => n.requiredFields?.get(c));
        if (parts.every((f) => f !== undefined)) fields.set(c, [...new Set(parts.flat() as string[])]);
      }
      // (legacy option names, `format.type` and the like, mapped as the query's thread maps them)
      const { table } = withCurrentOptionNames({
        name: t.name, schema: { columns: t.physical.map((i) => t.columns[i]!) }, options: t.options, optionSpans: t.optionSpans,
        partitionedBy: t.partitionedBy, primaryKey: t.primaryKey,
      });
      const connector = await CONNECTORS[(table.options.get('connector') ?? '').trim().toLowerCase() as keyof typeof CONNECTORS]();
      const source = connector.createSource!(table, { clock: new SystemClock(), baseDir, requiredColumns: columns, ...(fields.size > 0 ? { requiredFields: fields } : {}) });
      byTable.set(k, source as SplittableSource);
    }
  }

  /**
   * This task's pieces, as the chunks of each source index (the columns its scan reads), and what
   * each read gave: its rows, and its rejected records (kept once when two scans read one table).
   */
  async read(reads: readonly TaskRead[]): Promise<{ chunks: Map<number, Chunk[]>; results: TaskReadResult[] }> {
    const chunks = new Map<number, Chunk[]>();
    const results: TaskReadResult[] = [];
    // a table several scans read is read once per batch
    const done = new Map<string, Promise<{ chunks: Chunk[]; rejected: TaskReadResult['rejected'] }>>();
    for (const r of reads) {
      const node = this.nodes[r.sourceIndex]!;
      const key = `${node.table.name.toLowerCase()} ${JSON.stringify(r.piece)}`;
      const first = !done.has(key);
      if (first) {
        const source = this.byTable.get(node.table.name.toLowerCase())!;
        done.set(key, source.readPiece(r.piece as never).then((x) => ({ chunks: x.batches.map((batch) => ({ batch })), rejected: x.rejected })));
      }
      const got = await done.get(key)!;
      const selected = selectColumns(node, got.chunks);
      chunks.set(r.sourceIndex, selected);
      results.push({ rows: got.chunks.reduce((a, c) => a + c.batch.numRows, 0), rejected: first ? got.rejected : [] });
    }
    return { chunks, results };
  }

  async close(): Promise<void> {
    for (const s of this.byTable.values()) await s.close();
  }
}
