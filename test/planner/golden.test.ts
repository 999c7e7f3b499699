/**
 * EXPLAIN golden files: each `golden/<name>.sql` script is planned statement by statement and the
 * EXPLAIN text of each query / INSERT (or the first error, as FILE-less `line:column: message`) is
 * compared with `golden/<name>.out`. A line `-- include: _file.sql` first applies that file's DDL
 * (kept apart so positions in the script stay its own). UPDATE_GOLDEN=1 rewrites the .out files.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import type { SourceSpan } from '../../src/common/errors.js';
import type { Statement } from '../../src/parser/ast.js';
import { parseScript } from '../../src/parser/parse.js';
import type { OutputModeName } from '../../src/planner/index.js';
import { applyDdl, bindInsert, bindQuery, Catalog, explain, optimize, planStreaming } from '../../src/planner/index.js';
import { parseOutputMode } from '../../src/planner/incremental/output-mode.js';

const DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function runScript(text: string, catalog: Catalog): string[] {
  const out: string[] = [];
  let mode: OutputModeName | undefined;
  let modeSpan: SourceSpan | undefined;
  const plan = (s: Statement): void => {
    switch (s.kind) {
      case 'createTable': case 'createView': case 'createFunction': case 'drop':
        applyDdl(s, catalog);
        return;
      case 'set':
        if (s.key?.toLowerCase() === 'output-mode' && s.value !== undefined) {
          mode = parseOutputMode(s.value);
          modeSpan = s.span;
        }
        return;
      case 'explain':
        plan(s.statement);
        return;
      case 'query': case 'insert': {
        const bound = s.kind === 'query' ? bindQuery(s.query, catalog) : bindInsert(s, catalog).plan;
        const optimized = optimize(bound);
        out.push(explain(optimized, planStreaming(optimized, { mode, modeSpan })));
        return;
      }
    }
  };
  try {
    for (const s of parseScript(text).statements) plan(s);
  } catch (e) {
    if (!(e instanceof WeirError)) throw e;
    out.push(`ERROR ${e.code} ${e.span ? `${e.span.line}:${e.span.column}` : '-'}: ${e.message}`);
  }
  return out;
}

function render(file: string): string {
  const text = readFileSync(join(DIR, file), 'utf8');
  const catalog = new Catalog();
  for (const m of text.matchAll(/^-- include: (\S+)$/gm)) runScript(readFileSync(join(DIR, m[1]!), 'utf8'), catalog);
  return `${runScript(text, catalog).join('\n\n')}\n`;
}

describe('EXPLAIN golden files', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.sql') && !f.startsWith('_')).sort();
  it('has golden files', () => expect(files.length).toBeGreaterThan(5));
  for (const f of files) {
    it(f, () => {
      const actual = render(f);
      const outFile = join(DIR, f.replace(/\.sql$/, '.out'));
      if (UPDATE || !existsSync(outFile)) {
        if (!UPDATE) throw new Error(`${outFile} is missing: run with UPDATE_GOLDEN=1 to create it`);
        writeFileSync(outFile, actual);
      }
      expect(actual).toBe(readFileSync(outFile, 'utf8'));
    });
  }
});
