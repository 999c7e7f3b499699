/**
 * The rows `weir compare` replays: every row of the compared query's tables, read once through the
 * tables' own connectors (which must be bounded: a file directory without monitoring, a Nexmark
 * generator with `events.num`), kept in the order the connector gives them ("file order").
 */
import type * as arrow from 'apache-arrow';
import { batchToRows, concatBatches } from '../../common/columns.js';
import { WeirError } from '../../common/errors.js';
import { toArrowSchema } from '../../common/schema.js';
import type { Json } from '../../connectors/api.js';
import { MemoryTables } from '../../connectors/memory/index.js';
import { builtinConnectors, createSource } from '../../connectors/registry.js';
import { ManualClock } from '../../executor/streaming/clock.js';
import type { CatalogTable } from '../../planner/catalog.js';
import type { StreamingPlan } from '../../planner/incremental/physical.js';
import { connectorTable } from '../../engine/start-query.js';

export interface TableInput {
  readonly table: CatalogTable;
  /** every row, physical columns, in the connector's order */
  readonly batch: arrow.RecordBatch;
  readonly rows: readonly Record<string, unknown>[];
  /** input records the connector could not read (it kept them aside with their reasons) */
  readonly rejected: number;
}

export { connectorTable };

const sameOffset = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

async function readAll(t: CatalogTable, baseDir: string): Promise<TableInput> {
  const connector = (t.options.get('connector') ?? '').toLowerCase();
  if (connector === 'memory') {
    throw new WeirError('OPTION', `weir compare: table '${t.name}' is a memory table, which holds rows only inside a program; ` +
      'compare replays tables it can read (filesystem, nexmark with events.num)', t.span);
  }
  const source = createSource(connectorTable(t), { clock: new ManualClock(0), baseDir }, builtinConnectors(new MemoryTables()));
  try {
    if (!source.bounded) {
      throw new WeirError('OPTION', `weir compare: table '${t.name}' is unbounded (${source.description}); compare replays a ` +
        "finite input: a filesystem table without 'source.monitor-interval', or nexmark with 'events.num'", t.span);
    }
    const batches: arrow.RecordBatch[] = [];
    let rejected = 0;
    let offset: Json | undefined;
    while (!source.isExhausted(offset)) {
      const end = await source.latestOffset(offset);
      if (end === undefined || sameOffset(end, offset)) break;
      const r = await source.read(offset, end);
      batches.push(...r.batches.filter((b) => b.numRows > 0));
      rejected += r.rejected.length;
      offset = end;
    }
    const batch = concatBatches(toArrowSchema(source.schema), batches);
    return { table: t, batch, rows: batchToRows(batch), rejected };
  } finally {
    await source.close();
  }
}

/** The distinct tables the plan reads, each read to its end. */
export async function readInputs(plan: StreamingPlan, baseDir: string): Promise<TableInput[]> {
  const seen = new Set<string>();
  const out: TableInput[] = [];
  for (const s of plan.sources) {
    const key = s.table.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(await readAll(s.table, baseDir));
  }
  return out;
}
