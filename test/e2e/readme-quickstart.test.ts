/**
 * The README's commands work as written: the quick start's shell lines run in a temporary
 * directory (its /tmp paths moved there), its `npx weir` commands run through the CLI, and the
 * result is what the input says; the embedding API example prints what its comments promise.
 * The README is read at test time, so a change to it is checked too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasBuild, readSinkOutput, REPO_ROOT, runCli, tempDir } from '../support/cli.js';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The first fenced block of `lang` after the heading `heading`. */
function codeBlock(heading: string, lang: string): string {
  const at = README.indexOf(`\n## ${heading}\n`);
  expect(at, `README has a '## ${heading}' section`).toBeGreaterThanOrEqual(0);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(README.slice(at));
  expect(m, `'${heading}' has a ${lang} block`).not.toBeNull();
  return m![1]!;
}

/** Shell text split into plain shell parts and `npx weir ...` commands, in order. */
function steps(sh: string): ({ kind: 'shell'; text: string } | { kind: 'weir'; args: string[] })[] {
  const out: ({ kind: 'shell'; text: string } | { kind: 'weir'; args: string[] })[] = [];
  let shell: string[] = [];
  const lines = sh.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const weir = /^npx weir\s+(.*)$/.exec(line.trim());
    if (weir) {
      if (shell.length) out.push({ kind: 'shell', text: shell.join('\n') });
      shell = [];
      out.push({ kind: 'weir', args: weir[1]!.replace(/#.*$/, '').trim().split(/\s+/) });
    } else {
      shell.push(line);
    }
  }
  if (shell.join('').trim()) out.push({ kind: 'shell', text: shell.join('\n') });
  return out;
}

describe('the README', () => {
  it('quick start: the commands run and the output is the per-user totals of the input', async () => {
    const dir = tempDir();
    const sh = codeBlock('Quick start', 'sh').replaceAll('/tmp/', `${dir}/`);
    const ran: { args: string[]; code: number; stdout: string; stderr: string }[] = [];
    for (const step of steps(sh)) {
      if (step.kind === 'shell') {
        execFileSync('bash', ['-euo', 'pipefail', '-c', step.text], { cwd: dir });
      } else {
        // file arguments are relative to the directory the commands run in
        const args = step.args.map((a) => (a.endsWith('.sql') ? path.join(dir, a) : a));
        ran.push({ args: step.args, ...(await runCli(args)) });
      }
    }
    expect(ran.map((r) => r.args[0])).toEqual(['run', 'explain']);
    for (const r of ran) {
      expect(r.stderr, `weir ${r.args.join(' ')}`).toBe('');
      expect(r.code, `weir ${r.args.join(' ')}`).toBe(0);
    }

    // what the input files hold, summed per user
    const input = readFileSync(path.join(dir, 'in', '1.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user_name: string; amount: number });
    const expected = new Map<string, { user_name: string; total: number; n: number }>();
    for (const r of input) {
      const e = expected.get(r.user_name) ?? { user_name: r.user_name, total: 0, n: 0 };
      e.total += r.amount;
      e.n++;
      expected.set(r.user_name, e);
    }
    const out = readSinkOutput(path.join(dir, 'out')).sort((a, b) => String(a.user_name).localeCompare(String(b.user_name)));
    expect(out).toEqual([...expected.values()].sort((a, b) => a.user_name.localeCompare(b.user_name)));

    // explain prints both plans
    const explain = ran[1]!.stdout;
    expect(explain).toMatch(/Logical Plan/i);
    expect(explain).toMatch(/Streaming Plan/i);
    expect(explain).toMatch(/Aggregate/);
  });

  it('lists the commands and options the CLI has', () => {
    const cli = codeBlock('CLI', '');
    for (const opt of ['--trigger', '--checkpoint', '--output-mode', '--set', '--progress']) expect(cli).toContain(opt);
  });

  it.runIf(hasBuild())('embedding API example: prints what its comments say (node, `weir` resolved to dist/)', () => {
    const ts = codeBlock('Embedding API', 'ts');
    expect(ts).toContain(`from 'weir-sql'`);
    // the comments after console.log(...) are the promised output
    const promised = [...ts.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1]!.trim());
    expect(promised.length).toBeGreaterThan(0);
    const js = ts.replace(/console\.log\((.*)\);/g, 'console.log(JSON.stringify($1));');
    // evaluated in the repository, `import ... from 'weir-sql'` resolves through package.json's exports
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', js], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(printed).toHaveLength(promised.length);
    // the comments are JS literals: evaluate them as data and compare structurally
    printed.forEach((line, i) => expect(JSON.parse(line)).toEqual(new Function(`return (${promised[i]});`)()));
  });
});
