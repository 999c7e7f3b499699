/**
 * The sources a task on a worker thread reads itself: the nexmark generator (each event a function
 * of its number, so task i generates its own contiguous part of a batch's events, in parallel with
 * the others). Made in the worker from the plan's source nodes (plain data), one source per table as
 * the query's thread makes them (start-query.ts sharedSources), reading the union of the columns the
 * table's scans read. Other sources are read by the query's thread and their rows sent to the tasks.
 */
import type { ConnectorTable } from '../../connectors/api.js';
import { nexmarkConnector, NexmarkSource } from '../../connectors/nexmark/index.js';
import type { SourceNode } from '../../planner/incremental/physical.js';
import type { Chunk } from '../../executor/operators/operator.js';
import { selectColumns } from '../../executor/streaming/operator-tree.js';
import { SystemClock } from '../../executor/streaming/clock.js';
import { readInTasks, type TaskRead } from '../../executor/parallel/wire.js';


export class TaskSources {
  private readonly byTable = new Map<string, NexmarkSource>();

  constructor(private readonly nodes: readonly SourceNode[]) {
    const groups = new Map<string, SourceNode[]>();
    for (const n of nodes) {
      if (!readInTasks(n)) continue;
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
      const table: ConnectorTable = {
        name: t.name, schema: { columns: t.physical.map((i) => t.columns[i]!) }, options: t.options, optionSpans: t.optionSpans,
        partitionedBy: t.partitionedBy, primaryKey: t.primaryKey,
      };
      const source = nexmarkConnector.createSource!(table, { clock: new SystemClock(), baseDir: '.', requiredColumns: columns, ...(fields.size > 0 ? { requiredFields: fields } : {}) });
      this.byTable.set(k, source as NexmarkSource);
    }
  }

  /** This task's part of each read, as the chunks of each source index (the columns its scan reads). */
  async read(reads: readonly TaskRead[], task: number, tasks: number): Promise<Map<number, Chunk[]>> {
    const out = new Map<number, Chunk[]>();
    // a table several scans read is generated once per batch
    const generated = new Map<string, Promise<Chunk[]>>();
    for (const r of reads) {
      const node = this.nodes[r.sourceIndex]!;
      const key = `${node.table.name.toLowerCase()} ${JSON.stringify(r.start)} ${JSON.stringify(r.end)}`;
      let rows = generated.get(key);
      if (!rows) {
        rows = this.byTable.get(node.table.name.toLowerCase())!.readPart(r.start as never, r.end as never, task, tasks).then((x) => x.batches.map((batch) => ({ batch })));
        generated.set(key, rows);
      }
      out.set(r.sourceIndex, selectColumns(node.columns, node.schema, await rows));
    }
    return out;
  }
}
