/**
 * Start-up layering (issue 12 item 4): `import('weir')` must not load the parser, the planner, the
 * executor, the connectors, their formats or client libraries, nor the dashboard: each is loaded when a
 * statement first needs it (src/engine/lazy-modules.ts). `weir explain` loads the parser and planner
 * but not the executor or the connectors. A child process records every module it loads through an
 * ESM loader hook; this is a check of what is loaded, not a timing test. Needs dist/ (npm run build).
 *
 * Checked twice: on tsc's modules (dist/index.js, dist/cli/main.js), where each module is a file and
 * the check names them; and on the bundle the package and bin/weir.js load (dist/bundle/,
 * scripts/bundle.mjs), where the lazy parts are chunks: there the check reads the chunks loaded for
 * the classes and functions that mark each part.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const HOOK = `export async function load(url, ctx, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, ctx); }`;
const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));`;

/** the module URLs a fresh node process loads running `args` (relative to the repo, or package names) */
function modulesLoaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const root = pathToFileURL(REPO_ROOT).href + '/';
  return r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => {
    const url = l.slice('LOADED '.length);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    return pkg ? `package:${pkg[1]}` : url.replace(root, '');
  });
}

const EXECUTOR_AND_CONNECTORS = [
  'dist/executor/streaming/micro-batch-execution.js', 'dist/engine/start-query.js', 'dist/connectors/registry.js',
  'dist/connectors/filesystem/index.js', 'dist/connectors/formats/format.js', 'dist/connectors/formats/parquet.js',
  'dist/connectors/jdbc/index.js', 'dist/connectors/redis/index.js', 'dist/connectors/nats/index.js', 'dist/state/index.js',
  'dist/dashboard/index.js', 'dist/cli/compare/command.js',
  'package:hyparquet', 'package:hyparquet-writer', 'package:csv-parse', 'package:csv-stringify', 'package:prom-client',
  'package:lmdb', 'package:pg', 'package:ioredis', 'package:luxon', 'package:uplot',
  // Arrow's ~135 modules: SQL types and plans do not need it (common/arrow-binding.ts), nor does an
  // engine before a memory table or a query (the memory and foreach-batch connectors are loaded then)
  'package:apache-arrow', 'dist/common/columns.js', 'dist/connectors/memory/index.js', 'dist/connectors/foreach-batch/index.js',
];

describe('start-up layering', () => {
  it('the package root loads no parser, planner, executor, connector, format or dashboard (tsc modules)', () => {
    const loaded = modulesLoaded(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/index.js')).href)})`]);
    expect(loaded).toContain('dist/engine/engine.js');
    const heavy = [...EXECUTOR_AND_CONNECTORS, 'dist/parser/parse.js', 'dist/parser/grammar.js', 'package:chevrotain', 'dist/planner/index.js'];
    expect(loaded.filter((m) => heavy.includes(m))).toEqual([]);
    expect(loaded.filter((m) => m.startsWith('dist/executor/operators/') || m.startsWith('dist/connectors/formats/parquet'))).toEqual([]);
    // 16 when written (the engine, its errors, catalog and function declarations); what grows past
    // this is loaded by every `import('weir')` and should be loaded when a statement needs it instead
    expect(loaded.filter((m) => !m.startsWith('node:')).length).toBeLessThanOrEqual(20);
  });

  it('weir explain loads the parser and planner, not the executor or the connectors (tsc modules)', () => {
    withQuickStart((sql) => {
      const main = JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/cli/main.js')).href);
      const loaded = modulesLoaded(['--input-type=module', '-e', `const { main } = await import(${main}); process.exitCode = await main(['explain', ${JSON.stringify(sql)}]);`]);
      expect(loaded).toContain('dist/parser/parse.js');
      expect(loaded).toContain('dist/planner/index.js');
      expect(loaded.filter((m) => EXECUTOR_AND_CONNECTORS.includes(m))).toEqual([]);
      // re2js (260 KB) is loaded when a regular expression is first compiled, not by binding a query;
      // commander and node:crypto are not needed by a plain `weir explain FILE` (src/cli/explain-args.ts)
      expect(loaded).not.toContain('package:re2js');
      expect(loaded).not.toContain('package:commander');
      expect(loaded).not.toContain('node:crypto');
      // 108 when written: the CLI, the parser (chevrotain as one file) and the planner; 123 once
      // subqueries, collections, temporal joins, process functions and exchanges joined the parser and
      // planner; 122 without commander and re2js (issue 12 item 4); 126 with the signatures of the
      // array, ROW and planner-only functions. What grows past the bound is loaded by every
      // `weir explain`: load it when needed instead
      expect(loaded.filter((m) => !m.startsWith('node:')).length).toBeLessThanOrEqual(128);
    });
  });

  it('the bundled package root loads no chunk of the parser, planner, executor, connectors or dashboard', () => {
    const loaded = modulesLoaded(['--input-type=module', '-e', `await import('weir-sql')`]);
    expect(loaded).toContain('dist/bundle/index.js');
    expect(loaded.filter((m) => m.startsWith('dist/') && !m.startsWith('dist/bundle/'))).toEqual([]);
    const parts = partsIn(loaded);
    expect(parts).toContain('engine');
    expect(parts.filter((p) => p !== 'engine')).toEqual([]);
    expect(loaded.filter((m) => HEAVY_PACKAGES.includes(m))).toEqual([]);
    // 7 files when written: the entry and the chunks of the engine, its streaming query, errors, types,
    // catalog, and the connector API's few exports (RowKind, ConnectorUnavailableError)
    expect(loaded.filter((m) => m.startsWith('dist/')).length).toBeLessThanOrEqual(12);
  });

  it('bundled, weir explain loads the parser and planner chunks, not the executor or the connectors', () => {
    withQuickStart((sql) => {
      const loaded = modulesLoaded(['bin/weir.js', 'explain', sql]);
      expect(loaded).toContain('dist/bundle/cli.js');
      expect(loaded.filter((m) => m.startsWith('dist/') && !m.startsWith('dist/bundle/'))).toEqual([]);
      expect(partsIn(loaded).sort()).toEqual(['engine', 'parser', 'planner']);
      expect(loaded.filter((m) => HEAVY_PACKAGES.includes(m))).toEqual([]);
      expect(loaded).not.toContain('package:re2js');
      expect(loaded).not.toContain('package:commander');
    });
  });

  it('bundled, weir run loads the executor and connector chunks (the marks above still mark something)', () => {
    withQuickStart((sql) => {
      const dir = path.dirname(sql);
      fs.mkdirSync(path.join(dir, 'in'));
      fs.writeFileSync(path.join(dir, 'in', '1.json'), '{"user_name":"ann","amount":5}\n');
      const loaded = modulesLoaded(['bin/weir.js', 'run', sql]);
      expect(partsIn(loaded).sort()).toEqual(['connectors', 'engine', 'executor', 'parser', 'planner']);
      expect(loaded).toContain('package:apache-arrow');
    });
  });
});

/** the packages of EXECUTOR_AND_CONNECTORS: the bundle leaves apache-arrow and the clients outside, and takes the rest in */
const HEAVY_PACKAGES = EXECUTOR_AND_CONNECTORS.filter((m) => m.startsWith('package:'));

/** what marks each part of Weir in a bundle's chunk: the part's own class or function, as the bundle writes it */
const PART_MARKS: Record<string, RegExp> = {
  engine: /^var Engine = class\b/m,
  parser: /^var SqlParser = class\b/m,
  planner: /^function planStreaming\(/m,
  executor: /^var MicroBatchExecution = class\b/m,
  connectors: /^function builtinConnectors\(/m,
  dashboard: /^var QueryFeed = class\b/m,
};

/** which parts the bundle's files among `loaded` hold */
function partsIn(loaded: readonly string[]): string[] {
  const texts = loaded.filter((m) => m.startsWith('dist/bundle/')).map((m) => fs.readFileSync(path.join(REPO_ROOT, m), 'utf8'));
  return Object.entries(PART_MARKS).filter(([, mark]) => texts.some((t) => mark.test(t))).map(([part]) => part);
}

/** runs `check` with the path of a SQL file like the README's quick start */
function withQuickStart(check: (sql: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-layering-'));
  try {
    const sql = path.join(dir, 'q.sql');
    fs.writeFileSync(sql, `CREATE TABLE payments (user_name STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json');
CREATE TABLE totals (user_name STRING, total BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
INSERT INTO totals SELECT user_name, SUM(amount) FROM payments GROUP BY user_name;`);
    check(sql);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
