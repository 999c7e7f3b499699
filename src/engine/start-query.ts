/**
 * From an INSERT INTO or a bare SELECT to a running StreamingQuery: bind, optimize, plan
 * incrementally (refusing an output mode the plan cannot honour before anything starts), create the
 * sources and the sink through their connectors, and start the micro-batch loop.
 */
import type { StateStoreProvider, StateValue } from '../state/state-store.js';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { WeirError, type SourceSpan } from '../common/errors.js';
import { toArrowSchema } from '../common/schema.js';
import type { Schema } from '../common/schema.js';
import type { Connector, ConnectorTable, Source } from '../connectors/api.js';
import { createSink, createSource, SOURCE_IDLE_TIMEOUT } from '../connectors/registry.js';
import { resolvedPath } from '../connectors/filesystem/options.js';
import { withCurrentOptionNames } from '../connectors/option-names.js';
import type { Clock } from '../executor/streaming/clock.js';
import { MicroBatchExecution } from '../executor/streaming/micro-batch-execution.js';
import { StreamingQuery } from '../executor/streaming/streaming-query.js';
import type { QueryListener } from '../executor/streaming/progress.js';
import { parseDurationMs, parseTrigger } from '../executor/streaming/trigger.js';
import { DEFAULT_RETRY, RETRY_SETTINGS, type RetryPolicy } from '../executor/streaming/connector-retry.js';
import type { InsertStmt, QueryStmt } from '../parser/ast.js';
import type { Catalog, CatalogTable } from '../planner/catalog.js';
import type { LookupJoinNode, SourceNode, StreamingPlan } from '../planner/incremental/physical.js';
import { physicalChildren } from '../planner/incremental/physical.js';
import { LATE_ROWS_SETTING, plan } from './plan-query.js';
import type { Parallelism } from '../planner/incremental/exchanges.js';
import { DEFAULT_KEY_GROUPS, MAX_PARALLELISM_SETTING, parallelismSettings, parseParallelism } from '../planner/incremental/parallelism-setting.js';
import { TASK_STORE_STRIDE } from '../executor/parallel/task-set.js';
import { explain } from '../planner/index.js';
import type { ModuleFunction, StateRecipe } from '../executor/parallel/wire.js';
import type { PendingModuleFunction } from './user-functions.js';
import { THREADS_SETTING } from '../executor/parallel/worker-task-set.js';
import { Checkpoint, createStateProvider, stateProviderOptions, type QueryFingerprint } from '../state/index.js';
import { RejectedRecords } from './rejected-records.js';
import type { UserAggregate, UserTableFunction, UserProcessFunction } from './function-kinds.js';
import { checkCheckpointOwner, queryFingerprint } from './checkpoint-identity.js';
import { checkLateRowsTable, lateRowInputs, LateRowsTable } from '../executor/operators/window/late-rows-table.js';

export interface QueryStartContext {
  readonly catalog: Catalog;
  readonly settings: ReadonlyMap<string, string>;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly clock: Clock;
  readonly baseDir: string;
  readonly checkpointDir: string | undefined;
  readonly udfs: ReadonlyMap<string, (...args: unknown[]) => unknown>;
  /** the CREATE FUNCTION modules imported, by lower-case name (a parallel query's workers import them again) */
  readonly functionModules?: ReadonlyMap<string, PendingModuleFunction & { readonly native?: boolean }>;
  readonly udafs: ReadonlyMap<string, UserAggregate>;
  readonly tableFunctions: ReadonlyMap<string, UserTableFunction>;
  readonly processFunctions?: ReadonlyMap<string, UserProcessFunction>;
  readonly stdout: Writable;
  /** where notes about kept-aside records go */
  readonly stderr: Writable;
  nextQueryNumber(): number;
  newId(): string;
  /** whether to run the optimizer's rules (EngineOptions.optimizer) */
  readonly optimize: boolean;
  /** engine.addListener's listeners: every query tells them its events */
  readonly listeners: ReadonlySet<QueryListener>;
}

export { explainStatement } from './plan-query.js';

/** A catalog table as its connector sees it (physical columns, options). */
export function connectorTable(t: CatalogTable): ConnectorTable {
  return {
    name: t.name,
    schema: { columns: t.physical.map((i) => t.columns[i]!) },
    options: t.options,
    optionSpans: t.optionSpans,
    partitionedBy: t.partitionedBy,
    primaryKey: t.primaryKey,
  };
}

/**
 * One Source per table, however often the plan scans it (Nexmark's views person, auction and bid all
 * read one generator table; q5 and q7 read bid twice): the execution reads a source object once per
 * batch and hands its rows to every scan of it, so the generator runs once. The shared source reads
 * the union of what the scans need.
 */
function sharedSources(
  nodes: readonly SourceNode[],
  make: (table: SourceNode['table'], columns: readonly number[], fields: ReadonlyMap<number, readonly string[]> | undefined) => Source,
): Source[] {
  const groups = new Map<string, SourceNode[]>();
  for (const n of nodes) {
    const k = n.table.name.toLowerCase();
    const g = groups.get(k);
    if (g) g.push(n); else groups.set(k, [n]);
  }
  const byTable = new Map<string, Source>();
  for (const [k, g] of groups) {
    const columns = [...new Set(g.flatMap((n) => n.columns))].sort((a, b) => a - b);
    const fields = new Map<number, string[]>();
    for (const c of columns) {
      // a column is read in part only when every scan that reads it reads it in part
      const parts = g.filter((n) => n.columns.includes(c)).map((n) => n.requiredFields?.get(c));
      if (parts.every((f) => f !== undefined)) fields.set(c, [...new Set(parts.flat() as string[])]);
    }
    byTable.set(k, make(g[0]!.table, columns, fields.size > 0 ? fields : undefined));
  }
  return nodes.map((n) => byTable.get(n.table.name.toLowerCase())!);
}

/** `SET 'connector.retry.*'`: how long and how often a query waits for a server that is away. */
function retryPolicy(settings: ReadonlyMap<string, string>): RetryPolicy {
  const ms = (key: string, fallback: number): number => {
    const text = settings.get(key);
    if (text === undefined) return fallback;
    const v = parseDurationMs(text);
    if (v === undefined || !Number.isFinite(v) || v < 0) {
      throw new WeirError('OPTION', `SET '${key}' = '${text}': expected a duration such as '30 s', '2 min' or '500 ms'`);
    }
    return v;
  };
  return {
    timeoutMs: ms(RETRY_SETTINGS.timeout, DEFAULT_RETRY.timeoutMs),
    initialBackoffMs: Math.max(1, ms(RETRY_SETTINGS.initialBackoff, DEFAULT_RETRY.initialBackoffMs)),
    maxBackoffMs: Math.max(1, ms(RETRY_SETTINGS.maxBackoff, DEFAULT_RETRY.maxBackoffMs)),
  };
}

/**
 * Each scanned input's idle timeout: its table's `source.idle-timeout`, else
 * `SET 'table.exec.source.idle-timeout'`; 0 (Flink's default) means never idle. A bad duration is an
 * error at the option.
 */
function idleTimeouts(sources: readonly SourceNode[], settings: ReadonlyMap<string, string>): (number | undefined)[] {
  const parse = (text: string, what: string, span?: SourceSpan): number => {
    const v = parseDurationMs(text);
    if (v === undefined || !Number.isFinite(v) || v < 0) {
      throw new WeirError('OPTION', `${what} = '${text}': expected a duration such as '30 s', '2 min' or '500 ms' (0 turns idleness off)`, span);
    }
    return v;
  };
  const settingText = settings.get(IDLE_TIMEOUT_SETTING);
  const fallback = settingText === undefined ? undefined : parse(settingText, `SET '${IDLE_TIMEOUT_SETTING}'`);
  return sources.map((n) => {
    const { table } = withCurrentOptionNames(connectorTable(n.table));
    const text = table.options.get(SOURCE_IDLE_TIMEOUT);
    return text === undefined ? fallback : parse(text, `table '${n.table.name}': option '${SOURCE_IDLE_TIMEOUT}'`, table.optionSpans.get(SOURCE_IDLE_TIMEOUT));
  });
}

const IDLE_TIMEOUT_SETTING = 'table.exec.source.idle-timeout';

/** A print table for a bare SELECT's results. */
function printTable(schema: Schema): ConnectorTable {
  return {
    name: 'print', schema, options: new Map([['connector', 'print']]), optionSpans: new Map(), partitionedBy: [], primaryKey: [],
  };
}

export async function startQuery(stmt: InsertStmt | QueryStmt, ctx: QueryStartContext): Promise<StreamingQuery> {
  const p = plan(stmt, ctx);
  const parallelism = parseParallelism(ctx.settings, stmt.span);
  const idleTimeoutMs = idleTimeouts(p.streaming.sources, ctx.settings);
  const n = ctx.nextQueryNumber();
  const name = ctx.settings.get('pipeline.name')
    ?? (p.target ? `insert-into_${p.target.name}${n > 0 ? `_${n}` : ''}` : `select_${n}`);
  const triggerText = ctx.settings.get('trigger') ?? ctx.settings.get('execution.trigger');
  const trigger = triggerText !== undefined ? parseTrigger(triggerText) : { kind: 'asFastAsPossible' as const };

  const sinkTable = p.target ? connectorTable(p.target) : printTable(p.streaming.root.schema);
  const sinkSchema = toArrowSchema(sinkTable.schema);
  const sources = sharedSources(p.streaming.sources, (table, requiredColumns, requiredFields) =>
    createSource(connectorTable(table), { clock: ctx.clock, baseDir: ctx.baseDir, requiredColumns, requiredFields, tasks: parallelism.tasks }, ctx.connectors));
  const lookupSources = createLookupSources(p.streaming, ctx);
  const sink = createSink(sinkTable, { clock: ctx.clock, baseDir: ctx.baseDir }, ctx.connectors, ctx.stdout);

  const lateRows = await openLateRows(p.streaming, name, ctx);
  const durability = await openCheckpoint(p.streaming, name, ctx);
  const id = durability.checkpoint?.id ?? ctx.newId();
  const runId = ctx.newId();
  const execution = new MicroBatchExecution({
    id,
    runId,
    name,
    plan: p.streaming,
    sources,
    sink,
    sinkSchema,
    clock: ctx.clock,
    trigger,
    expr: { timeZone: ctx.settings.get('table.local-time-zone') ?? 'UTC', udfs: ctx.udfs, udafs: ctx.udafs, tableFunctions: ctx.tableFunctions, processFunctions: ctx.processFunctions },
    stateProvider: durability.stateProvider,
    checkpoint: durability.checkpoint,
    settings: { ...resultSettings(ctx.settings), ...recordedParallelism(parallelism) },
    rejected: new RejectedRecords(rejectedDir(ctx, sinkTable, name), name, ctx.stderr),
    lateRows,
    lookupSources,
    retry: retryPolicy(ctx.settings),
    idleTimeoutMs,
    parallelism,
    threads: { enabled: (ctx.settings.get(THREADS_SETTING) ?? 'true').trim().toLowerCase() !== 'false', stateRecipe: durability.stateRecipe, functions: functionModules(ctx), baseDir: ctx.baseDir },
  });
  const q = new StreamingQuery(id, runId, name, execution, trigger, ctx.clock, explain(p.logical, p.streaming, parallelism), ctx.listeners);
  q.start();
  return q;
}

/** The imported CREATE FUNCTION modules and native stand-ins the catalog still names: a worker can load them again. */
function functionModules(ctx: QueryStartContext): ModuleFunction[] {
  return [...ctx.functionModules ?? []].filter(([key]) => ctx.catalog.getFunction(key) !== undefined)
    .map(([key, p]) => ({ key, name: p.name, path: p.path, modulePath: p.modulePath, span: p.span, ...(p.native ? { native: true } : {}) }));
}

/** The lookup joins of a plan, in a fixed (post-order) walk. */
function lookupJoinsOf(n: StreamingPlan['root'], out: LookupJoinNode[] = []): LookupJoinNode[] {
  for (const c of physicalChildren(n)) lookupJoinsOf(c, out);
  if (n.kind === 'lookupJoin') out.push(n);
  return out;
}

/**
 * A source for each lookup join's table, reading the columns the join loads. The table must be
 * bounded, since it is read once when the query starts: refused otherwise, at the lookup join.
 */
function createLookupSources(plan: StreamingPlan, ctx: QueryStartContext): Map<LookupJoinNode, Source> {
  const out = new Map<LookupJoinNode, Source>();
  for (const n of lookupJoinsOf(plan.root)) {
    const source = createSource(connectorTable(n.table), { clock: ctx.clock, baseDir: ctx.baseDir, requiredColumns: n.columns }, ctx.connectors);
    if (!source.bounded) {
      void source.close();
      for (const s of out.values()) void s.close();
      throw new WeirError('PLAN',
        `the lookup table '${n.table.name}' (${source.description}) is unbounded: a lookup join (FOR SYSTEM_TIME AS OF) reads its table ` +
        "once when the query starts, so the table must be bounded: a filesystem table without 'source.monitor-interval', " +
        "a nexmark table with 'events.num', or a memory table whose input has ended", n.span);
    }
    out.set(n, source);
  }
  return out;
}

/**
 * `SET 'late-rows.table' = 'name'`: the late rows of the query's window operators go to that table
 * through its connector (see late-rows-table.ts for its columns). A query without window
 * aggregations has no late rows and ignores the setting.
 */
async function openLateRows(plan: StreamingPlan, queryName: string, ctx: QueryStartContext): Promise<LateRowsTable | undefined> {
  const tableName = ctx.settings.get(LATE_ROWS_SETTING);
  if (!tableName) return undefined;
  const inputs = lateRowInputs(plan.root);
  if (inputs.length === 0) return undefined;
  const t = ctx.catalog.getRelation(tableName);
  if (t?.kind !== 'table') {
    throw new WeirError('OPTION', `'late-rows.table' names '${tableName}', which is not a table: create it with CREATE TABLE first`);
  }
  const table = connectorTable(t);
  checkLateRowsTable(t.name, table.schema, inputs);
  const sink = createSink(table, { clock: ctx.clock, baseDir: ctx.baseDir }, ctx.connectors, ctx.stdout);
  await sink.open({ schema: table.schema, mode: 'append', keyColumns: [], queryName: `${queryName}:late-rows` });
  return new LateRowsTable(table.schema, sink);
}

function rejectedDir(ctx: QueryStartContext, sink: ConnectorTable, name: string): string | undefined {
  const configured = ctx.settings.get('rejected-records.path');
  if (configured) return path.resolve(ctx.baseDir, configured);
  const { table } = withCurrentOptionNames(sink);
  if ((table.options.get('connector') ?? '').toLowerCase() === 'filesystem' && table.options.get('path')) {
    return path.join(resolvedPath(table, ctx.baseDir), '_rejected');
  }
  if (ctx.checkpointDir) return path.join(ctx.checkpointDir, name, 'rejected');
  return undefined;
}

/** Settings that change a query's results: recorded with each batch in the checkpoint. */
const RESULT_SETTINGS = ['output-mode', 'table.local-time-zone', LATE_ROWS_SETTING];

function resultSettings(settings: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of RESULT_SETTINGS) {
    const v = settings.get(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** What a checkpoint records of the parallelism: what is not the default (a checkpoint of one task at 128 key groups records nothing, as before). */
function recordedParallelism(p: Parallelism): Record<string, string> {
  const all = parallelismSettings(p);
  const out: Record<string, string> = {};
  if (p.tasks > 1) out['parallelism'] = all['parallelism']!;
  if (p.maxParallelism !== DEFAULT_KEY_GROUPS) out[MAX_PARALLELISM_SETTING] = all[MAX_PARALLELISM_SETTING]!;
  return out;
}

/** What identifies the query's state: its stateful operators and its sources (checkpoint-identity.ts). */
function fingerprintOf(plan: StreamingPlan): QueryFingerprint {
  return queryFingerprint(plan);
}

/**
 * Each query's own checkpoint directory (`<checkpointDir>/<query name>`) and state stores: with a
 * checkpoint, state is kept there (state.backend 'filesystem' by default, or 'lmdb'); without one,
 * in memory (or in a temporary LMDB directory when state.backend is 'lmdb').
 */
async function openCheckpoint(plan: StreamingPlan, name: string, ctx: QueryStartContext) {
  const backend = ctx.settings.get('state.backend');
  const options = stateProviderOptions(ctx.settings);
  if (!ctx.checkpointDir) {
    const dir = backend?.toLowerCase() === 'lmdb'
      ? await fs.mkdtemp(path.join(os.tmpdir(), `weir-state-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-`))
      : undefined;
    return { checkpoint: undefined, stateProvider: createStateProvider(backend ?? 'memory', dir, options), stateRecipe: { backend: backend ?? 'memory', dir, options, stateIds: [] } };
  }
  const retainText = ctx.settings.get('checkpoint.retain');
  const owner = await checkCheckpointOwner(ctx.checkpointDir, name);
  const checkpoint = await Checkpoint.open(path.join(ctx.checkpointDir, name), fingerprintOf(plan), {
    queryId: ctx.newId(), now: ctx.clock.now(), ...(retainText !== undefined ? { retain: Number(retainText) } : {}),
  });
  owner.opened();
  const provider = createStateProvider(backend ?? 'filesystem', checkpoint.stateDir, options);
  // a task on a worker thread opens its stores with a provider of its own, made from this recipe
  const stateRecipe: StateRecipe = { backend: backend ?? 'filesystem', dir: checkpoint.stateDir, options, stateIds: [...checkpoint.stateIds].filter(([a, b]) => a !== b) };
  return { checkpoint, stateProvider: underStateIds(provider, checkpoint.stateIds), stateRecipe };
}

/**
 * A provider that opens each operator's store under the id its state was written with: an operator
 * the checkpoint matched by uid may have another place in this plan (Checkpoint.stateIds).
 */
function underStateIds(provider: StateStoreProvider, stateIds: ReadonlyMap<number, number>): StateStoreProvider {
  if ([...stateIds].every(([planId, stateId]) => planId === stateId)) return provider;
  // a task's store id is its operator's id plus a multiple of TASK_STORE_STRIDE (task-set.ts)
  const idOf = (id: number): number => {
    const planId = id % TASK_STORE_STRIDE;
    return (stateIds.get(planId) ?? planId) + (id - planId);
  };
  return {
    open: (id, version) => provider.open(idOf(id), version),
    ...(provider.newestLoadableVersion ? { newestLoadableVersion: (id: number, atMost: number) => provider.newestLoadableVersion!(idOf(id), atMost) } : {}),
    ...(provider.restate ? { restate: (id: number, version: number, entries: ReadonlyMap<string, StateValue>) => provider.restate!(idOf(id), version, entries) } : {}),
    ...(provider.release ? { release: (id: number) => provider.release!(idOf(id)) } : {}),
    ...(provider.maintenance ? { maintenance: () => provider.maintenance!() } : {}),
    ...(provider.close ? { close: () => provider.close!() } : {}),
  };
}
