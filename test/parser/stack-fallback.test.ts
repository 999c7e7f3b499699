/**
 * The parser's last resort (parse.ts): nesting within the limits still runs out of a stack made
 * smaller than Node's default (an embedding that calls Weir deep in its own recursion is the real
 * case), and the statement is refused as a positioned user error, exit 1, no stack trace. Runs
 * `weir explain` on dist/ with --stack-size, as the CLI tests do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_BRACKET_NESTING } from '../../src/parser/nesting.js';
import { WEIR_BIN } from '../support/cli.js';

describe('a stack too small for a statement within the limits', () => {
  it('gives FILE:LINE:COLUMN and exit 1, not an internal error', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'weir-stack-')), 'deep.sql');
    const n = MAX_BRACKET_NESTING;
    writeFileSync(file, `CREATE TABLE t (a INT) WITH ('connector' = 'memory');\nSELECT ${'('.repeat(n)}a${')'.repeat(n)} FROM t;\n`);
    const small = spawnSync(process.execPath, ['--stack-size=250', WEIR_BIN, 'explain', file], { encoding: 'utf8' });
    expect(small.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: statement nested too deeply to parse: simplify its nesting\\n$`));
    expect(small.status).toBe(1);
    // with Node's default stack the same file plans
    const normal = spawnSync(process.execPath, [WEIR_BIN, 'explain', file], { encoding: 'utf8' });
    expect(normal.stdout).toContain('== Logical Plan ==');
    expect(normal.status).toBe(0);
  });
});
