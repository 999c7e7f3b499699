/**
 * bin/weir.js runs the bundle of the CLI (dist/bundle/cli.js, scripts/bundle.mjs) when the build made
 * it, and tsc's dist/cli/main.js when the bundle is missing or older than tsc's output (tsc run again
 * alone, as test/support/recovery.ts or a developer may): a rebuilt dist/ must never run stale code.
 * The script is copied beside two stand-in entries that say which one ran, so the repository's own
 * dist/ (which other test files run at the same time) is not touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** a copy of bin/weir.js with stand-ins for the entries it may load; `bundle` undefined: no bundle */
function fakeInstall(plainTime: number, bundleTime: number | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-bin-'));
  made.push(dir);
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(path.join(dir, 'dist', 'cli'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'bin', 'weir.js'), path.join(dir, 'bin', 'weir.js'));
  const stand = (name: string): string => `export async function main(argv) { process.stdout.write('${name} ' + argv.join(' ')); return 3; }\n`;
  const plain = path.join(dir, 'dist', 'cli', 'main.js');
  fs.writeFileSync(plain, stand('plain'));
  fs.utimesSync(plain, plainTime, plainTime);
  if (bundleTime !== undefined) {
    fs.mkdirSync(path.join(dir, 'dist', 'bundle'));
    const bundle = path.join(dir, 'dist', 'bundle', 'cli.js');
    fs.writeFileSync(bundle, stand('bundle'));
    fs.utimesSync(bundle, bundleTime, bundleTime);
  }
  return dir;
}

function runBin(dir: string): { out: string; status: number | null } {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'weir.js'), 'explain', 'q.sql'], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } });
  expect(r.stderr).toBe('');
  return { out: r.stdout, status: r.status };
}

describe('bin/weir.js', () => {
  const t = 1_700_000_000;

  it('runs the bundle the build made after tsc, passing the arguments and the exit code through', () => {
    expect(runBin(fakeInstall(t, t + 5))).toEqual({ out: 'bundle explain q.sql', status: 3 });
  });

  it('runs tsc’s modules when the bundle is older than them (tsc run again without the bundle step)', () => {
    expect(runBin(fakeInstall(t + 5, t)).out).toBe('plain explain q.sql');
  });

  it('runs tsc’s modules when there is no bundle', () => {
    expect(runBin(fakeInstall(t, undefined)).out).toBe('plain explain q.sql');
  });
});
