#!/usr/bin/env node
// Start-up time: `import('weir-sql')` (the package's entry, dist/bundle/index.js: scripts/bundle.mjs)
// and the README quick start's `weir explain`, each in a fresh process, median of N runs (default 7).
// Needs dist/ (npm run build).
//   node bench/startup.js [--runs N]
// The aims (issue 12 item 4): import ≤ 300 ms, explain ≤ 400 ms, on an idle machine.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-startup-'));
fs.mkdirSync(path.join(dir, 'in'));
fs.writeFileSync(path.join(dir, 'in', '1.json'), '{"user_name":"ann","amount":5}\n{"user_name":"bob","amount":7}\n');
const sqlFile = path.join(dir, 'totals.sql');
fs.writeFileSync(sqlFile, `CREATE TABLE payments (user_name STRING, amount INT)
  WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'in')}', 'format' = 'json');
CREATE TABLE totals (user_name STRING, total BIGINT, n BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'out')}', 'format' = 'json');
INSERT INTO totals SELECT user_name, SUM(amount), COUNT(*) FROM payments GROUP BY user_name;
`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** wall time of a fresh process, ms (includes node's own start-up, as a user sees it) */
function wall(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: r.stdout };
}

// by the package's name, as an application imports it (run in the repository, Node resolves it
// through package.json's exports)
const importSpecifier = 'weir-sql';
const cases = [
  ['node -e ""  (node itself)', () => wall(['-e', '']).ms],
  ["import('weir') in-process", () => Number(wall(['--input-type=module', '-e',
    `const t = performance.now(); await import(${JSON.stringify(importSpecifier)}); console.log(performance.now() - t)`]).out)],
  ["import('weir') process", () => wall(['--input-type=module', '-e', `await import(${JSON.stringify(importSpecifier)})`]).ms],
  ['weir explain quick start', () => wall(['bin/weir.js', 'explain', sqlFile]).ms],
];
console.log(`start-up, median of ${runs} runs (ms)`);
for (const [name, run] of cases) {
  const xs = Array.from({ length: runs }, run);
  console.log(`${name.padEnd(30)} ${median(xs).toFixed(0).padStart(6)}   (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}
fs.rmSync(dir, { recursive: true, force: true });
