/**
 * The direction of imports of DESIGN.md, enforced: a layer imports only the layers below it, and
 * only the parser knows chevrotain.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');

/** folder → the top-level folders (or files) of src it may import */
const ALLOWED: Record<string, readonly string[]> = {
  common: ['common'],
  parser: ['parser', 'common'],
  planner: ['planner', 'parser', 'common'],
  state: ['state', 'common'],
  executor: ['executor', 'planner', 'parser', 'state', 'common', 'connectors/api.ts'],
  connectors: ['connectors', 'common', 'state', 'executor'],
  engine: ['engine', 'executor', 'planner', 'parser', 'state', 'common', 'connectors', 'dashboard'],
  dashboard: ['dashboard', 'executor', 'common'],
  cli: ['cli', 'engine', 'executor', 'planner', 'parser', 'state', 'common', 'connectors', 'dashboard'],
  'index.ts': ['engine', 'executor', 'common', 'connectors', 'dashboard'],
};

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1]!);
}

describe('layering', () => {
  const files = walk(SRC);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('imports only point down the layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = path.relative(SRC, file).split(path.sep);
      const layer = rel.length === 1 ? rel[0]! : rel[0]!;
      const allowed = ALLOWED[layer];
      if (!allowed) { violations.push(`${rel.join('/')}: folder not in the layering table`); continue; }
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep);
        const top = target[0]!;
        const targetFile = target.join('/').replace(/\.js$/, '.ts');
        const ok = allowed.includes(top) || allowed.includes(targetFile);
        if (!ok) violations.push(`${rel.join('/')} imports ${targetFile}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only src/parser imports chevrotain', () => {
    const users = files.filter((f) => importsOf(f).includes('chevrotain')).map((f) => path.relative(SRC, f));
    expect(users.every((f) => f.startsWith(`parser${path.sep}`))).toBe(true);
  });

  it('nothing but the clock reads Date.now()', () => {
    const readers = files
      .filter((f) => /Date\.now\(\)/.test(fs.readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
      .map((f) => path.relative(SRC, f).split(path.sep).join('/'));
    expect(readers).toEqual(['executor/streaming/clock.ts']);
  });
});
