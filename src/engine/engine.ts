/**
 * The embedding API's entry point (CONTRACT.md "Embedding API"): an Engine holds a catalog, the
 * script's settings, the memory tables and the queries it started. `execute(sql)` runs a script's
 * statements in order; each INSERT INTO (and each bare SELECT, printed) starts a streaming query.
 */
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { withFile, WeirError } from '../common/errors.js';
import type { SqlType } from '../common/types.js';
import type { Connector } from '../connectors/api.js';
import type { PushRows } from '../connectors/memory/tables.js';
import type { MemoryTables, ChangelogRetention, MemoryOutput } from '../connectors/memory/index.js';
import { BUILTIN_CONNECTOR_NAMES } from '../connectors/builtin-names.js';
import type { ForeachBatchHandler } from '../connectors/foreach-batch/index.js';
import type { Clock } from '../executor/streaming/clock.js';
import { SystemClock } from '../executor/streaming/clock.js';
import type { StreamingQuery } from '../executor/streaming/streaming-query.js';
import type { InsertStmt, QueryStmt, Statement } from '../parser/ast.js';
import { Catalog, type CatalogTable } from '../planner/catalog.js';
import { javaClassError, NATIVE_JAVA_FUNCTIONS } from './native-functions.js';
import { parseTypeName } from './type-names.js';
import type { QueryStartContext } from './start-query.js';
import { loadConnectorRegistry, loadForeachBatch, loadMemoryTables, loadParser, loadPlanner, loadPlanQuery, loadSettingsRegistry, loadStartQuery } from './lazy-modules.js';
import type { QueryListener } from '../executor/streaming/progress.js';
import { declareModuleFunction, loadModuleFunction, refuseAsync, type LoadedFunction, type PendingModuleFunction } from './user-functions.js';
import { checkFunctionExport, type AggregateFunctionDef, type TableFunctionDef, type UserAggregate, type UserTableFunction } from './function-kinds.js';
import type { ProcessFunctionDef, UserProcessFunction } from './function-kinds.js';
import { substituteVariables } from './variables.js';
import type { Dashboard, DashboardOptions } from '../dashboard/index.js';

export interface EngineOptions {
  /** the only source of processing time (default: the system clock) */
  readonly clock?: Clock;
  /** where queries keep their checkpoints (one sub-directory per query name) */
  readonly checkpointDir?: string;
  /** relative paths in table options resolve against this (default: the SQL file's directory, else cwd) */
  readonly baseDir?: string;
  /** initial settings, as `SET 'key' = 'value'` would make them */
  readonly settings?: Readonly<Record<string, string>>;
  /** where bare SELECTs and EXPLAIN print (default: process.stdout) */
  readonly stdout?: Writable;
  /** where notes (malformed records kept aside) go (default: process.stderr) */
  readonly stderr?: Writable;
  /**
   * @internal
   * Rewrites each table as CREATE TABLE defines it, before anything uses it (undefined keeps it):
   * `weir compare` replays a script with every table turned into a memory table and, for the
   * processing-time run, the rowtime column replaced by the arrival time.
   */
  readonly tableOverride?: (table: CatalogTable) => CatalogTable | undefined;
  /**
   * @internal
   * The memory tables to use instead of new ones: another engine's `memoryTables`, so that a query
   * restarted in a new engine from its checkpoint reads the same input (as a durable log would
   * survive a restart) and writes into the same output. For restart tests.
   */
  readonly memoryTables?: MemoryTables;
  /**
   * Memory tables: `maxUnconsumedRows` bounds a table's input (input(t).write() waits beyond it;
   * default 100 000); `changelog` 'all' keeps every change a memory sink received for changes()
   * (tests, debugging) where the default 'consumed' keeps only what a stream() reader has not taken.
   */
  readonly memory?: { readonly maxUnconsumedRows?: number; readonly changelog?: ChangelogRetention };
  /**
   * @internal
   * For differential tests: false plans queries without the optimizer's rewrites
   * (planner/rules), so a test can compare results with and without them. Default true.
   */
  readonly optimizer?: boolean;
}

export interface ExecuteOptions {
  /** the file name used in error positions and to resolve relative paths */
  readonly file?: string;
}

export type UserFunction = (...args: never[]) => unknown;

export class Engine {
  /** @internal the tables, views and functions the statements defined */
  readonly catalog = new Catalog();
  readonly clock: Clock;
  private readonly settings = new Map<string, string>();
  /**
   * Made when a statement first needs them (a memory table created, a query planned): the memory
   * connector works on Arrow batches, which `import('weir')` and EXPLAIN do not load.
   */
  private memory: MemoryTables | undefined;
  private readonly connectors: Map<string, Connector>;
  private readonly batchHandlers = new Map<string, ForeachBatchHandler>();
  private readonly queries: StreamingQuery[] = [];
  private readonly listeners = new Set<QueryListener>();
  private readonly udfs = new Map<string, (...args: unknown[]) => unknown>();
  /** UDAFs and table functions (CREATE FUNCTION modules of those kinds, registerAggregateFunction, registerTableFunction) */
  private readonly udafs = new Map<string, UserAggregate>();
  private readonly tableFunctions = new Map<string, UserTableFunction>();
  /** process functions (kind 'process': CREATE FUNCTION modules, registerProcessFunction) */
  private readonly processFunctions = new Map<string, UserProcessFunction>();
  /** CREATE FUNCTION modules not imported yet, by lower-case name: a query that runs imports them. */
  private readonly pendingModules = new Map<string, PendingModuleFunction>();
  /** CREATE FUNCTION modules imported, by lower-case name: a worker thread imports them again */
  private readonly loadedModules = new Map<string, PendingModuleFunction & { readonly native?: boolean }>();
  private queryCounter = 0;

  constructor(private readonly options: EngineOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    for (const [k, v] of Object.entries(options.settings ?? {})) this.settings.set(k.toLowerCase(), v);
    this.memory = options.memoryTables;
    // the built-in connectors (and the formats and client libraries behind them), foreach-batch's
    // too, are loaded when a query is planned (connectorsFor), not with the engine: see lazy-modules.ts
    this.connectors = new Map();
  }

  /** Run a script's statements in order; returns the queries its INSERT/SELECT statements started. */
  async execute(sql: string, opts: ExecuteOptions = {}): Promise<StreamingQuery[]> {
    const file = opts.file ?? '<sql>';
    const started: StreamingQuery[] = [];
    try {
      const { parseScript } = await loadParser();
      const script = parseScript(substituteVariables(sql, this.settings, file), file);
      for (const stmt of script.statements) {
        const q = await this.executeStatement(stmt, opts);
        if (q) started.push(q);
      }
    } catch (e) {
      throw withFile(e, file);
    }
    return started;
  }

  /** EXPLAIN text of every query statement of a script (DDL is applied to this engine's catalog). */
  async explain(sql: string, opts: ExecuteOptions = {}): Promise<string> {
    const file = opts.file ?? '<sql>';
    const out: string[] = [];
    try {
      const { parseScript } = await loadParser();
      const script = parseScript(substituteVariables(sql, this.settings, file), file);
      for (const stmt of script.statements) {
        const target = stmt.kind === 'explain' ? stmt.statement : stmt;
        if (target.kind === 'insert' || target.kind === 'query') out.push(await this.explainText(target, opts));
        else if (stmt.kind !== 'explain') await this.executeStatement(stmt, opts, { dryRun: true });
      }
    } catch (e) {
      throw withFile(e, file);
    }
    return out.join('\n\n');
  }

  private async executeStatement(stmt: Statement, opts: ExecuteOptions, mode: { dryRun?: boolean } = {}): Promise<StreamingQuery | undefined> {
    const { applyDdl } = await loadPlanner();
    switch (stmt.kind) {
      case 'createTable':
        // a computed column is typed when the table is created: a run imports the modules it may call
        // now (EXPLAIN does not, and shows such a column untyped)
        if (!mode.dryRun && stmt.elements.some((el) => el.kind === 'computedColumn')) await this.loadPendingFunctions();
        applyDdl(stmt, this.catalog);
        this.overrideTable(stmt.name[stmt.name.length - 1]!.value);
        await this.registerMemoryTable(stmt.name[stmt.name.length - 1]!.value);
        return undefined;
      case 'createView':
      case 'drop':
        applyDdl(stmt, this.catalog);
        return undefined;
      case 'createFunction': {
        const fnName = stmt.name[stmt.name.length - 1]!.value;
        const native = NATIVE_JAVA_FUNCTIONS.get(stmt.path);
        if (native) {
          applyDdl(stmt, this.catalog);
          this.defineFunction(fnName, native.fn, native.returns, stmt.span, native.params);
          this.loadedModules.set(fnName.toLowerCase(), { name: fnName, path: stmt.path, modulePath: '', span: stmt.span, native: true });
          return undefined;
        }
        const javaClass = javaClassError(fnName, stmt.path, path.resolve(this.baseDir(opts), stmt.path), stmt.pathSpan);
        if (javaClass) throw javaClass;
        // not imported here: only a query that runs imports it (loadPendingFunctions)
        const pending = await declareModuleFunction(fnName, stmt.path, this.baseDir(opts), stmt.span);
        const existed = this.catalog.getFunction(fnName) !== undefined;
        applyDdl(stmt, this.catalog);
        if (!existed) this.pendingModules.set(fnName.toLowerCase(), pending);
        return undefined;
      }
      case 'set':
        if (stmt.key !== undefined) {
          (await loadSettingsRegistry()).checkSetting(stmt.key, stmt.value, stmt.span);
          this.settings.set(stmt.key.toLowerCase(), stmt.value ?? '');
        }
        return undefined;
      case 'explain': {
        const target = stmt.statement;
        if (target.kind !== 'insert' && target.kind !== 'query') {
          throw new WeirError('UNSUPPORTED', `EXPLAIN of ${target.kind} statements is not supported`, stmt.span);
        }
        this.stdout().write(await this.explainText(target, opts) + '\n');
        return undefined;
      }
      case 'insert':
      case 'query': {
        if (mode.dryRun) return undefined;
        await this.loadPendingFunctions();
        const { startQuery } = await loadStartQuery();
        const q = await startQuery(stmt, await this.startContext(opts));
        this.queries.push(q);
        return q;
      }
      default: {
        const never: never = stmt;
        throw new WeirError('UNSUPPORTED', `statement ${(never as Statement).kind} is not supported`);
      }
    }
  }

  /** EXPLAIN of one query, without importing any function module. */
  private async explainText(stmt: InsertStmt | QueryStmt, opts: ExecuteOptions): Promise<string> {
    const { explainStatement } = await loadPlanQuery();
    const text = explainStatement(stmt, { catalog: this.catalog, settings: this.settings, optimize: this.options.optimizer ?? true });
    return text + this.unloadedFunctionNote(text);
  }

  private async startContext(opts: ExecuteOptions): Promise<QueryStartContext> {
    return {
      catalog: this.catalog,
      settings: this.settings,
      connectors: await this.connectorsFor(),
      clock: this.clock,
      baseDir: this.baseDir(opts),
      // relative to where the engine was started, as a CLI user expects for --checkpoint
      checkpointDir: this.options.checkpointDir === undefined ? undefined : path.resolve(this.options.checkpointDir),
      udfs: this.udfs,
      functionModules: this.loadedModules,
      udafs: this.udafs,
      tableFunctions: this.tableFunctions,
      processFunctions: this.processFunctions,
      stdout: this.stdout(),
      stderr: this.options.stderr ?? process.stderr,
      nextQueryNumber: () => this.queryCounter++,
      // the global's node:crypto is loaded on first use, not by every `import('weir')` and `weir explain`
      newId: () => globalThis.crypto.randomUUID(),
      optimize: this.options.optimizer ?? true,
      listeners: this.listeners,
    };
  }

  /** The built-in connectors (loaded now, once) and the application's, which the built-ins never shadow. */
  private async connectorsFor(): Promise<ReadonlyMap<string, Connector>> {
    const { builtinConnectors } = await loadConnectorRegistry();
    const { foreachBatchConnector } = await loadForeachBatch();
    const foreachBatch: [string, Connector] = ['foreach-batch', foreachBatchConnector(this.batchHandlers)];
    return new Map([...builtinConnectors(await this.memoryTablesLoaded()), foreachBatch, ...this.connectors]);
  }

  private async memoryTablesLoaded(): Promise<MemoryTables> {
    if (this.memory === undefined) {
      const { MemoryTables } = await loadMemoryTables();
      this.memory ??= new MemoryTables(this.options.memory ?? {});
    }
    return this.memory;
  }

  /** The memory tables, when a memory table was created: before that, no name is one. */
  private memoryTablesOf(table: string): MemoryTables {
    // the memory tables' own message for a name they do not hold, none being declared
    if (this.memory === undefined) throw new WeirError('BIND', `no memory table '${table}'`);
    return this.memory;
  }

  private baseDir(opts: ExecuteOptions): string {
    if (this.options.baseDir) return this.options.baseDir;
    if (opts.file && opts.file !== '<sql>') return path.dirname(path.resolve(opts.file));
    return process.cwd();
  }

  private stdout(): Writable {
    return this.options.stdout ?? process.stdout;
  }

  private overrideTable(name: string): void {
    const t = this.catalog.getRelation(name);
    const next = t?.kind === 'table' ? this.options.tableOverride?.(t) : undefined;
    if (!next || next === t) return;
    this.catalog.dropRelation(name);
    this.catalog.addRelation(next);
  }

  private async registerMemoryTable(name: string): Promise<void> {
    const t = this.catalog.getRelation(name);
    if (t?.kind !== 'table' || (t.options.get('connector') ?? '').toLowerCase() !== 'memory') return;
    (await this.memoryTablesLoaded()).register(t.name, { columns: t.physical.map((i) => t.columns[i]!) });
  }

  /**
   * Rows into a memory table: `engine.input('bids').push([{...}, ...])`. `end()` says no more rows
   * will come: the table's source becomes bounded, and once read to the end its watermark is
   * +infinity, so every open window closes and a query over only ended inputs finishes.
   */
  input(table: string): {
    push(rows: PushRows): void;
    /** push(), after waiting while the table holds more unconsumed rows than its bound (EngineOptions.memory) */
    write(rows: PushRows): Promise<void>;
    end(): void;
  } {
    const input = this.memoryTablesOf(table).input(table);
    return {
      push: (rows) => {
        input.push(rows);
        for (const q of this.queries) q.notifyNewData();
      },
      write: async (rows) => {
        await input.write(rows);
        for (const q of this.queries) q.notifyNewData();
      },
      end: () => {
        input.end();
        for (const q of this.queries) q.notifyNewData();
      },
    };
  }

  /** @internal This engine's memory tables (to share with a new engine: EngineOptions.memoryTables). */
  get memoryTables(): MemoryTables | undefined {
    // undefined until a statement needed them: a new engine given undefined makes its own, as this one would
    return this.memory;
  }

  /**
   * @internal
   * Import the CREATE FUNCTION modules not imported yet (running their top-level code), for a caller
   * that plans queries itself in order to run them (`weir compare`); `execute` does it by itself.
   */
  async importFunctionModules(): Promise<void> {
    await this.loadPendingFunctions();
  }

  /** @internal The functions CREATE FUNCTION and registerFunction defined, by lower-case name (imported ones). */
  get userFunctions(): ReadonlyMap<string, (...args: unknown[]) => unknown> {
    return this.udfs;
  }

  /** @internal The UDAFs and table functions defined, by lower-case name (imported ones). */
  get userAggregates(): ReadonlyMap<string, UserAggregate> {
    return this.udafs;
  }

  /** @internal */
  get userTableFunctions(): ReadonlyMap<string, UserTableFunction> {
    return this.tableFunctions;
  }

  /** @internal */
  get userProcessFunctions(): ReadonlyMap<string, UserProcessFunction> {
    return this.processFunctions;
  }

  /** What a memory sink holds: `engine.output('results').rows()`. */
  output(table: string): MemoryOutput {
    return this.memoryTablesOf(table).output(table);
  }

  /**
   * The function a `'connector' = 'foreach-batch'` table hands each micro-batch to (before the
   * INSERT writing the table is executed). Its promise is part of the batch's commit.
   */
  foreachBatch(table: string, handler: ForeachBatchHandler): void {
    if (typeof handler !== 'function') throw new WeirError('OPTION', `foreachBatch('${table}', …) needs a function`);
    this.batchHandlers.set(table.toLowerCase(), handler);
  }

  /**
   * A connector of the application's for `'connector' = '<name>'` (see Connector in the README):
   * its createSource/createSink make the table's Source and Sink; `options` lists the keys it takes.
   */
  registerConnector(name: string, connector: Omit<Connector, 'name' | 'options'> & { readonly name?: string; readonly options?: readonly string[] }): void {
    const key = name.toLowerCase();
    if (this.connectors.has(key) || key === 'foreach-batch' || BUILTIN_CONNECTOR_NAMES.includes(key)) throw new WeirError('OPTION', `a connector named '${name}' exists already`);
    if (!connector.createSource && !connector.createSink) {
      throw new WeirError('OPTION', `connector '${name}' needs createSource or createSink`);
    }
    this.connectors.set(key, { ...connector, name: key, options: connector.options ?? [] });
  }

  /** A scalar function for SQL: `engine.registerFunction('count_char', fn, { returns: 'INT' })`. */
  registerFunction(name: string, fn: (...args: never[]) => unknown, options: { returns: string | SqlType }): void {
    refuseAsync(name, fn, undefined);
    const returns = typeof options.returns === 'string' ? parseTypeName(options.returns) : options.returns;
    this.defineFunction(name, fn as (...a: unknown[]) => unknown, returns, undefined);
  }

  /**
   * A UDAF for SQL: `engine.registerAggregateFunction('wavg', { kind: 'aggregate', returns: 'DOUBLE',
   * create, accumulate, retract, merge, result })` (the shape CREATE FUNCTION modules export).
   */
  registerAggregateFunction(name: string, def: Omit<AggregateFunctionDef, 'kind'> & { readonly kind?: 'aggregate' }): void {
    this.defineLoaded(name, checkFunctionExport(name, '', { ...def, kind: 'aggregate' }, undefined) as LoadedFunction, undefined);
  }

  /** A table function for LATERAL TABLE(f(…)): `engine.registerTableFunction('split', { returns: 'word STRING', eval })`. */
  registerTableFunction(name: string, def: Omit<TableFunctionDef, 'kind'> & { readonly kind?: 'table' }): void {
    this.defineLoaded(name, checkFunctionExport(name, '', { ...def, kind: 'table' }, undefined) as LoadedFunction, undefined);
  }

  /**
   * A process function for `TABLE(f(TABLE t PARTITION BY k))`: `engine.registerProcessFunction('alerts',
   * { returns: 'card STRING, n INT', process(row, ctx) {…}, onTimer(timeMs, ctx) {…} })` (the shape
   * CREATE FUNCTION modules export with kind 'process').
   */
  registerProcessFunction(name: string, def: Omit<ProcessFunctionDef, 'kind'> & { readonly kind?: 'process' }): void {
    this.defineLoaded(name, checkFunctionExport(name, '', { ...def, kind: 'process' }, undefined) as LoadedFunction, undefined);
  }

  /** Define an imported or registered function of any kind (the kind dispatch of loaded functions). */
  private defineLoaded(name: string, loaded: LoadedFunction, span: Statement['span'] | undefined, modulePath?: string): void {
    const key = name.toLowerCase();
    const where = modulePath !== undefined ? { path: modulePath } : {};
    switch (loaded.kind) {
      case 'scalar':
        this.defineFunction(name, loaded.fn, loaded.returns, span, undefined, modulePath);
        return;
      case 'aggregate':
        this.forget(key);
        this.udafs.set(key, loaded);
        this.catalog.addFunction({ kind: 'function', name, returns: loaded.returns, arity: undefined, span, functionKind: 'aggregate', ...where });
        return;
      case 'table':
        this.forget(key);
        this.tableFunctions.set(key, loaded);
        this.catalog.addFunction({
          kind: 'function', name, returns: undefined, arity: undefined, span, functionKind: 'table', columns: loaded.columns, ...where,
        });
        return;
      case 'process':
        this.forget(key);
        this.processFunctions.set(key, loaded);
        this.catalog.addFunction({
          kind: 'function', name, returns: undefined, arity: undefined, span, functionKind: 'process', columns: loaded.columns, ...where,
          ...(loaded.def.onTimer !== undefined ? { processTimers: true } : {}),
        });
        return;
    }
  }

  private forget(key: string): void {
    this.udfs.delete(key);
    this.udafs.delete(key);
    this.tableFunctions.delete(key);
    this.processFunctions.delete(key);
    this.loadedModules.delete(key);
  }

  private defineFunction(name: string, fn: (...a: unknown[]) => unknown, returns: SqlType | undefined, span: Statement['span'] | undefined,
    params?: readonly SqlType[], modulePath?: string): void {
    this.forget(name.toLowerCase());
    this.udfs.set(name.toLowerCase(), fn);
    this.catalog.addFunction({
      kind: 'function', name, returns: returns ?? { kind: 'VARCHAR' },
      arity: params ? params.length : fn.length > 0 ? fn.length : undefined, span,
      ...(params ? { params } : {}),
      ...(modulePath !== undefined ? { path: modulePath } : {}),
    });
  }

  /**
   * Import the CREATE FUNCTION modules declared so far (running their top-level code), just before a
   * query is planned to run; a function dropped or redefined since is skipped.
   */
  private async loadPendingFunctions(): Promise<void> {
    for (const [key, pending] of [...this.pendingModules]) {
      this.pendingModules.delete(key);
      const current = this.catalog.getFunction(pending.name);
      if (current === undefined || current.returns !== undefined || current.functionKind !== undefined || current.path !== pending.path) continue;
      const loaded = await loadModuleFunction(pending);
      this.defineLoaded(current.name, loaded, pending.span, pending.path);
      // a parallel query's worker threads import it again (worker-task-set.ts)
      this.loadedModules.set(current.name.toLowerCase(), pending);
    }
  }

  /**
   * The note EXPLAIN adds for the module functions a plan calls that no query has imported yet: their
   * result type is unknown until run, and the plan shows their calls untyped.
   */
  private unloadedFunctionNote(planText: string): string {
    const named = [...this.pendingModules.values()].filter((p) => {
      const f = this.catalog.getFunction(p.name);
      return f !== undefined && f.returns === undefined && planText.includes(`${f.name}(`);
    });
    if (named.length === 0) return '';
    return '\n' + named.map((p) => `Note: ${p.name} comes from module '${p.path}', which is imported only when a query runs; `
      + 'its result type is unknown until run (the plans above bind its calls as untyped NULL), and so is its kind: '
      + 'it is assumed to be an aggregate where a query with GROUP BY calls it outside an aggregate\'s argument, else a scalar function').join('\n');
  }

  /** A setting, as SET made it (keys are case-insensitive). */
  getSetting(key: string): string | undefined {
    return this.settings.get(key.toLowerCase());
  }

  get activeQueries(): readonly StreamingQuery[] {
    return this.queries.filter((q) => q.isActive);
  }

  /**
   * Hear every query's events (started, progress, retrying, terminated), of the queries running now
   * and of those started later, as Spark's `streams.addListener`.
   */
  addListener(listener: QueryListener): void {
    if (typeof listener !== 'function') throw new WeirError('OPTION', 'engine.addListener(…) needs a function');
    this.listeners.add(listener);
  }

  removeListener(listener: QueryListener): void {
    this.listeners.delete(listener);
  }

  /**
   * Serve the live dashboard and /metrics of this engine's queries (those running now, those that
   * ended, and those started later) on 127.0.0.1, or on `host` with a `token` every request must
   * carry. Resolves once listening; `close()` stops serving (the queries go on).
   */
  async serveDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
    // loaded when asked for: an engine without a dashboard does not load its server and prom-client
    const { serveDashboard } = await import('../dashboard/index.js');
    return serveDashboard({
      addListener: (l) => this.addListener(l),
      removeListener: (l) => this.removeListener(l),
      queries: () => this.queries,
    }, options);
  }

  /** Stop every query (each commits its batch in flight). */
  async stop(): Promise<void> {
    await Promise.all(this.queries.map((q) => q.stop()));
  }
}
