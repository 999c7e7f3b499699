/**
 * `weir compare FILE.sql`: run the script's windowed query twice over the same replayed input, once
 * in event time (the rows' own time, closed by the WATERMARK) and once in processing time (the
 * simulated arrival), and show per window what each gives, which rows changed window, which were
 * late, and how long after the window's end each result was final.
 *
 *   analyze (pick the query) → read the input → place rows (event time) → arrival times
 *   → replay in event time → replay in processing time → place rows (arrival) → report
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WeirError } from '../../common/errors.js';
import { MemoryTables } from '../../connectors/memory/index.js';
import type { ExprContext } from '../../executor/expr/compile.js';
import { parseDurationMs } from '../../executor/streaming/trigger.js';
import type { CatalogTable } from '../../planner/catalog.js';
import { analyzeScript, replayScript, type Analysis } from './analyze.js';
import { buildReport } from './build-report.js';
import { readInputs } from './input.js';
import { windowShape } from './plan-shape.js';
import { WindowProbe, type Placement } from './probe.js';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { replay, type ReplayResult } from './replay.js';
import type { CompareReport } from './report.js';
import { arrivalTimes, eventTimeTable, processingTimeRows, processingTimeTable } from './timelines.js';
import { WindowNaming } from './windows.js';

/** The command line's options, as commander gives them. */
export interface CompareCliOptions {
  readonly rate?: string;
  readonly arrival?: string;
  readonly tick?: string;
  readonly json?: string;
  readonly report?: string;
  readonly metric?: string;
}

export interface CompareOptions {
  readonly settings: Readonly<Record<string, string>>;
  readonly rate?: number;
  readonly arrivalColumn?: string;
  readonly tickMs: number;
  readonly metric?: string;
}

export function compareOptions(cli: CompareCliOptions, settings: Readonly<Record<string, string>>): CompareOptions {
  if (cli.rate !== undefined && cli.arrival !== undefined) {
    throw new WeirError('OPTION', 'weir compare: give either --rate or --arrival, not both');
  }
  let rate: number | undefined;
  if (cli.rate !== undefined) {
    rate = Number(cli.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new WeirError('OPTION', `weir compare: bad --rate '${cli.rate}': expected rows per second, a number above 0`);
  }
  const tickMs = cli.tick === undefined ? 1000 : parseDurationMs(cli.tick);
  if (tickMs === undefined || !(tickMs >= 1)) {
    throw new WeirError('OPTION', `weir compare: bad --tick '${cli.tick}': expected a duration of 1 ms or more, such as '1s' or '250ms'`);
  }
  return { settings, rate, arrivalColumn: cli.arrival, tickMs, metric: cli.metric };
}

function exprContext(a: Analysis): ExprContext {
  return { now: () => 0, timeZone: a.engine.getSetting('table.local-time-zone') ?? 'UTC', udfs: a.engine.userFunctions, udafs: a.engine.userAggregates, tableFunctions: a.engine.userTableFunctions, processFunctions: a.engine.userProcessFunctions };
}

/** Output column names as the user sees them: the INSERT target's, or the SELECT's. */
function outputNames(a: Analysis): string[] {
  if (a.chosen.kind === 'insert') {
    const t = a.engine.catalog.getRelation(a.chosen.target[a.chosen.target.length - 1]!.value);
    if (t?.kind === 'table') return t.physical.map((i) => t.columns[i]!.name);
  }
  return a.plan.root.schema.columns.map((c) => c.name);
}

/** Placements of the processing-time rows, through the processing-time replay's own plan. */
function placeReplayed(run: ReplayResult, a: Analysis, tables: readonly { name: string; rows: readonly Record<string, unknown>[] }[], expr: ExprContext): Placement[][][] {
  const shape = windowShape(run.plan, a.chosen.span)!;
  const probe = new WindowProbe(run.plan, shape.window, expr);
  const scratch = new MemoryTables();
  return tables.map((t) => {
    const table = run.engine.catalog.getRelation(t.name) as CatalogTable;
    scratch.register(t.name, { columns: table.physical.map((i) => table.columns[i]!) });
    scratch.input(t.name).push(t.rows);
    return probe.place(t.name, scratch.pushed(t.name)[0]!);
  });
}

/** The whole comparison, as data. */
export async function compareScript(file: string, sql: string, o: CompareOptions): Promise<CompareReport> {
  const a = await analyzeScript(sql, file, o.settings);
  const naming = new WindowNaming(a.shape.roles, outputNames(a), a.shape.window.window);
  if (o.metric !== undefined && !naming.valueCols.some((v) => v.name.toLowerCase() === o.metric!.toLowerCase())) {
    throw new WeirError('OPTION', `weir compare: --metric ${o.metric}: not a result column of the query ` +
      `(its result columns: ${naming.valueCols.map((v) => v.name).join(', ') || 'none'})`);
  }
  const metric = o.metric === undefined ? undefined : naming.valueCols.find((v) => v.name.toLowerCase() === o.metric!.toLowerCase())!.name;
  const inputs = await readInputs(a.plan, path.dirname(path.resolve(file)));
  const expr = exprContext(a);
  const eventProbe = new WindowProbe(a.plan, a.shape.window, expr);
  const eventPlacements = inputs.map((t) => eventProbe.place(t.table.name, t.batch));
  const timelines = arrivalTimes(inputs, eventPlacements, { rate: o.rate, arrivalColumn: o.arrivalColumn });
  const script = replayScript(a);
  const common = { analysis: a, script, settings: o.settings, start: timelines.start, tickMs: o.tickMs };
  const eventRun = await replay({
    ...common,
    tableOverride: eventTimeTable,
    tables: inputs.map((t, i) => ({ name: t.table.name, rows: t.rows, arrival: timelines.arrival[i]! })),
  });
  const procTables = inputs.map((t, i) => ({
    name: t.table.name,
    rows: processingTimeRows(t.table, t.rows, timelines.arrival[i]!),
    arrival: timelines.arrival[i]!,
  }));
  const processingRun = await replay({ ...common, tableOverride: processingTimeTable, tables: procTables });
  const processingPlacements = placeReplayed(processingRun, a, procTables, expr);
  return buildReport({
    analysis: a, naming, inputs, timelines, eventPlacements, processingPlacements, eventRun, processingRun, tickMs: o.tickMs, metric,
  });
}

export interface CompareIo {
  readonly stdout: NodeJS.WritableStream;
}

/** Run the comparison and write what the options ask for; errors are thrown for the CLI to report. */
export async function compareCommand(file: string, sql: string, cli: CompareCliOptions, settings: Readonly<Record<string, string>>, io: CompareIo): Promise<CompareReport> {
  const report = await compareScript(file, sql, compareOptions(cli, settings));
  io.stdout.write(renderText(report));
  if (cli.json !== undefined) {
    await fs.writeFile(cli.json, JSON.stringify(report, null, 2) + '\n');
    io.stdout.write(`wrote ${cli.json}\n`);
  }
  if (cli.report !== undefined) {
    await fs.writeFile(cli.report, renderHtml(report));
    io.stdout.write(`wrote ${cli.report}\n`);
  }
  return report;
}
