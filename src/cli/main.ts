/**
 * `weir run | explain | compare` (CONTRACT.md "CLI"). Exit codes: 0 done, 1 a user mistake in the SQL
 * or the options (printed as FILE:LINE:COLUMN: message, never a stack trace), 2 a query that failed
 * while running.
 */
import type { Command as CommandType } from 'commander';
import { createRequire } from 'node:module';
import * as fs from 'node:fs/promises';
import { InternalError, isWeirError, WeirError, WeirErrors } from '../common/errors.js';
import { Engine } from '../engine/engine.js';
import type { Dashboard } from '../dashboard/index.js';
import type { StreamingQuery } from '../executor/streaming/streaming-query.js';
import type { CompareCliOptions } from './compare/command.js';
import { OUTPUT_MODES, plainExplainArguments } from './explain-args.js';
import { RunReport } from './run-report.js';

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_QUERY_FAILED = 2;

interface RunOptions {
  trigger?: string;
  checkpoint?: string;
  outputMode?: string;
  set: string[];
  progress?: boolean;
  /** `--ui` alone: true (the default port); `--ui PORT`: the port as typed */
  ui?: boolean | string;
  uiHost?: string;
  uiToken?: string;
  uiKeep?: boolean;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--set KEY=VALUE` pairs, as settings. */
function settingsFrom(opts: RunOptions, io: Io): Record<string, string> | undefined {
  const settings: Record<string, string> = {};
  for (const kv of opts.set) {
    const eq = kv.indexOf('=');
    if (eq <= 0) {
      io.stderr.write(`weir: bad --set '${kv}': expected KEY=VALUE\n`);
      return undefined;
    }
    settings[kv.slice(0, eq).trim()] = kv.slice(eq + 1);
  }
  if (opts.outputMode) settings['output-mode'] = opts.outputMode;
  if (opts.trigger) settings['trigger'] = opts.trigger;
  return settings;
}

async function readSql(file: string, io: Io): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    io.stderr.write(`weir: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return undefined;
  }
}

/** `beforeStart`: raised while the script was set up, before any query ran (a refused checkpoint is a user mistake). */
function reportError(e: unknown, file: string, io: Io, beforeStart = false): number {
  if (isWeirError(e)) {
    io.stderr.write((e instanceof WeirErrors ? e.format(file) : e.format(file)) + '\n');
    if (beforeStart && e.code === 'STATE') return EXIT_USER_ERROR;
    return e.code === 'RUNTIME' || e.code === 'INPUT' || e.code === 'STATE' ? EXIT_QUERY_FAILED : EXIT_USER_ERROR;
  }
  const err = e as Error;
  io.stderr.write(`weir: internal error (a bug in Weir, please report it): ${err?.stack ?? String(e)}\n`);
  return EXIT_QUERY_FAILED;
}

async function runCommand(file: string, opts: RunOptions, io: Io): Promise<number> {
  const sql = await readSql(file, io);
  if (sql === undefined) return EXIT_USER_ERROR;
  const settings = settingsFrom(opts, io);
  if (!settings) return EXIT_USER_ERROR;
  const engine = new Engine({ settings, checkpointDir: opts.checkpoint, stdout: io.stdout as never, stderr: io.stderr as never });
  let dashboard: Dashboard | undefined;
  let queries: StreamingQuery[];
  try {
    // before the queries start, so that the dashboard hears every event of theirs
    dashboard = await startDashboard(engine, opts, io);
    queries = await engine.execute(sql, { file });
  } catch (e) {
    await engine.stop();
    await dashboard?.close();
    return reportError(e, file, io, true);
  }
  const report = new RunReport(io.stderr as never, opts.progress === true, queries.length > 1, performance.now());
  for (const q of queries) {
    q.addListener((ev) => {
      report.onEvent(ev);
      // a server that is away is worth a line whether or not progress was asked for
      if (ev.type === 'retrying') {
        const r = ev.retry;
        report.note(`weir: ${ev.name}: waiting for ${r.target} (${r.operation}: ${r.lastError}); attempt ${r.attempt}, next in ${r.nextAttemptInMs} ms`);
      }
    });
  }
  let stopping = false;
  let signalled: () => void = () => {};
  const signal = new Promise<void>((resolve) => { signalled = resolve; });
  const onSignal = (): void => {
    signalled();
    if (stopping) return;
    stopping = true;
    report.note('weir: stopping (the batch in flight commits first)…');
    void engine.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let code = EXIT_OK;
    for (const q of queries) {
      try {
        await q.awaitTermination();
      } catch (e) {
        // whatever the cause, a query that stops with an error is a run-time failure
        report.note('');
        io.stderr.write(`weir: query ${q.name} failed: `);
        reportError(e, file, io);
        code = EXIT_QUERY_FAILED;
        await engine.stop();
      }
    }
    io.stderr.write(report.summary(code !== EXIT_OK ? 'failed' : stopping ? 'stopped' : 'finished', performance.now(), queries.map((q) => q.name)));
    if (dashboard && opts.uiKeep && !stopping) {
      io.stderr.write(`weir: the queries have ended; the dashboard stays at ${dashboard.url} until interrupted (Ctrl-C)\n`);
      await signal;
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await dashboard?.close();
  }
}

/** `--ui [PORT]` (with `--ui-host` and `--ui-token`): the dashboard, its address on stderr. */
async function startDashboard(engine: Engine, opts: RunOptions, io: Io): Promise<Dashboard | undefined> {
  if (opts.ui === undefined && opts.uiHost === undefined && opts.uiToken === undefined) return undefined;
  let port: number | undefined;
  if (typeof opts.ui === 'string') {
    port = /^\d+$/.test(opts.ui) ? Number(opts.ui) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new WeirError('OPTION', `--ui ${opts.ui}: expected a port number from 0 to 65535 (to take the default port, put --ui after the SQL file)`);
  }
  const token = opts.uiToken ?? process.env.WEIR_UI_TOKEN;
  const d = await engine.serveDashboard({ ...(port !== undefined ? { port } : {}), ...(opts.uiHost ? { host: opts.uiHost } : {}), ...(token ? { token } : {}) });
  const base = d.url.replace(/\?.*$/, '');
  io.stderr.write(`weir: dashboard at ${d.url} (Prometheus metrics at ${base}metrics)\n`);
  return d;
}

async function explainCommand(file: string, opts: RunOptions, io: Io): Promise<number> {
  const sql = await readSql(file, io);
  if (sql === undefined) return EXIT_USER_ERROR;
  const settings = settingsFrom(opts, io);
  if (!settings) return EXIT_USER_ERROR;
  const engine = new Engine({ settings, stdout: io.stdout as never });
  try {
    io.stdout.write((await engine.explain(sql, { file })) + '\n');
    return EXIT_OK;
  } catch (e) {
    return reportError(e, file, io);
  }
}

async function compareCli(file: string, opts: RunOptions & CompareCliOptions, io: Io): Promise<number> {
  const sql = await readSql(file, io);
  if (sql === undefined) return EXIT_USER_ERROR;
  const settings = settingsFrom(opts, io);
  if (!settings) return EXIT_USER_ERROR;
  try {
    // loaded for this command only: it brings the executor and every connector
    const { compareCommand } = await import('./compare/command.js');
    await compareCommand(file, sql, opts, settings, io);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, file, io);
  }
}

/** The package's version: its package.json, found by the package's own name wherever this module runs from (src/, dist/ or the bundle's dist/bundle/). */
const version = (): string => (createRequire(import.meta.url)('weir-sql/package.json') as { version: string }).version;

export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // the common `weir explain FILE`, read without loading commander (start-up, issue 12 item 4)
  const plain = plainExplainArguments(argv);
  if (plain) return explainCommand(plain.file, plain.opts, io);
  const { Command, CommanderError, Option } = await import('commander');
  let result: Promise<number> = Promise.resolve(EXIT_OK);
  const program = new Command()
    .name('weir')
    .description('Weir: continuous SQL over unbounded streams')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const common = (c: CommandType): CommandType => c
    .option('--set <KEY=VALUE>', 'a setting, as SET would make it; also fills ${KEY} placeholders (repeatable)', collect, [])
    .addOption(new Option('--output-mode <mode>', 'output mode of the queries').choices([...OUTPUT_MODES]));
  common(program.command('run')
    .description('run a SQL script: every INSERT INTO and SELECT becomes a continuous query')
    .argument('<file>', 'the SQL script')
    .option('--trigger <trigger>', "available-now | once | continuous | '<interval>' (e.g. '10 seconds')")
    .option('--checkpoint <dir>', 'checkpoint directory (resume from it on restart)')
    .option('--progress', 'print one line of progress per micro-batch on stderr')
    .option('--ui [port]', 'serve the live dashboard and /metrics on 127.0.0.1 while the queries run (default port 4040; 0: a free one)')
    .option('--ui-host <host>', 'listen on this address instead of 127.0.0.1 (needs --ui-token)')
    .option('--ui-token <token>', 'a secret the dashboard page and every endpoint then require (default: $WEIR_UI_TOKEN)')
    .option('--ui-keep', 'keep serving the dashboard after the queries end, until interrupted'))
    .action((file: string, opts: RunOptions) => { result = runCommand(file, opts, io); });
  common(program.command('explain')
    .description('print the logical and streaming plans of each query in a script')
    .argument('<file>', 'the SQL script'))
    .action((file: string, opts: RunOptions) => { result = explainCommand(file, opts, io); });
  program.command('compare')
    .description("run a script's windowed query in event time and in processing time (simulated arrival) and compare them per window")
    .argument('<file>', 'the SQL script')
    .option('--rate <rows_per_s>', "rows arrive in file order at this rate (default: the input's average event rate)")
    .option('--arrival <column>', 'take each row\'s arrival time from this column (a TIMESTAMP or epoch ms)')
    .option('--tick <duration>', 'processing time between batches, e.g. 1s, 250ms', '1s')
    .option('--json <file>', 'also write the comparison as JSON')
    .option('--report <file.html>', 'also write a self-contained HTML page with charts')
    .option('--metric <column>', 'the result column to chart (default: the first numeric one)')
    .option('--set <KEY=VALUE>', 'a setting, as SET would make it; also fills ${KEY} placeholders (repeatable)', collect, [])
    .action((file: string, opts: RunOptions & CompareCliOptions) => { result = compareCli(file, opts, io); });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
    if (e instanceof InternalError) return reportError(e, '', io);
    throw e;
  }
  return result;
}
