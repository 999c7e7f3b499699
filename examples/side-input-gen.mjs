#!/usr/bin/env node
// The side input of Nexmark q13, as the benchmark's side_input_gen.sh writes it: one line `i,i`
// for each i in 0..num-1 (key BIGINT, value VARCHAR), so `mod(id, num) = key` always finds a row.
//
//   node examples/side-input-gen.mjs --num 10000 --path "$FLINK_HOME/data/side_input.txt"
//
// The file is written to a temporary name beside it and renamed, so a query never reads half of it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const usage = 'usage: node examples/side-input-gen.mjs --num 10000 --path /path/to/side_input.txt';
let values;
try {
  ({ values } = parseArgs({ options: { num: { type: 'string', short: 'n' }, path: { type: 'string', short: 'p' } } }));
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(1);
}
const num = Number(values.num);
if (values.path === undefined || !Number.isInteger(num) || num < 0) {
  console.error(usage);
  process.exit(1);
}
const file = path.resolve(values.path);
mkdirSync(path.dirname(file), { recursive: true });
const lines = new Array(num);
for (let i = 0; i < num; i++) lines[i] = `${i},${i}\n`;
const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
writeFileSync(tmp, lines.join(''));
renameSync(tmp, file);
