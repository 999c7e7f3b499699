/**
 * Fuzzing the SQL front end: mutants of real scripts (test/fuzz/corpus.ts, mutations.ts) go through
 * the path `weir explain` takes (Engine.explain: parse, DDL, bind, optimize, plan the streaming
 * query, render EXPLAIN), and every one must either plan or fail with a WeirError, a user error
 * with a code. Anything else (an InternalError, a stack overflow, a TypeError) is a bug in Weir.
 *
 * Each run draws a fresh seed and prints it; WEIR_FUZZ_SEED=<seed> replays a run and
 * WEIR_FUZZ_COUNT=<n> sets how many mutants it makes (default 1000). A failure names the seed and
 * the mutant's index, and writes the script to a file, so it can be replayed and debugged alone
 * (WEIR_FUZZ_ONLY=<index> runs just that mutant). WEIR_FUZZ_BUDGET_MS bounds the run's time (on a
 * loaded machine the run stops early and says how far it got, instead of timing out).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { NATIVE_JAVA_FUNCTIONS } from '../../src/engine/native-functions.js';
import { parseScript } from '../../src/parser/parse.js';
import { corpus } from './corpus.js';
import { mutantSeed, mutate, Rng, tokensOf } from './mutations.js';

const SEED = process.env.WEIR_FUZZ_SEED ? Number(process.env.WEIR_FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const COUNT = Number(process.env.WEIR_FUZZ_COUNT ?? 1000);
const ONLY = process.env.WEIR_FUZZ_ONLY === undefined ? undefined : Number(process.env.WEIR_FUZZ_ONLY);
const BUDGET_MS = Number(process.env.WEIR_FUZZ_BUDGET_MS ?? 45_000);

const quiet = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

/** True when planning the script would import a module (a CREATE FUNCTION that is not native). */
function loadsModule(text: string): boolean {
  if (!/FUNCTION/i.test(text)) return false;
  try {
    return parseScript(text).statements.some((s) => s.kind === 'createFunction' && !NATIVE_JAVA_FUNCTIONS.has(s.path));
  } catch {
    return false; // it does not parse, so nothing is loaded
  }
}

interface Failure {
  readonly index: number;
  readonly base: string;
  readonly applied: readonly string[];
  readonly error: unknown;
  readonly file: string;
}

describe('SQL fuzz: no internal error from any mutant of the corpus', () => {
  it(`plans or refuses with a WeirError (seed ${SEED}, replay with WEIR_FUZZ_SEED=${SEED})`, { timeout: BUDGET_MS + 60_000 }, async () => {
    console.log(`SQL fuzz: seed ${SEED} (replay with WEIR_FUZZ_SEED=${SEED}), ${COUNT} mutants`);
    const scripts = corpus();
    expect(scripts.length).toBeGreaterThan(40);
    const tokens = scripts.map((s) => tokensOf(s.sql));
    const dir = mkdtempSync(path.join(tmpdir(), 'weir-fuzz-'));
    const failures: Failure[] = [];
    const outcomes = { planned: 0, refused: 0, skipped: 0 };
    const codes = new Map<string, number>();
    const started = Date.now();
    let ran = 0;
    const slowest: { ms: number; index: number; applied: readonly string[] }[] = [];
    for (let i = ONLY ?? 0; i < (ONLY === undefined ? COUNT : ONLY + 1); i++) {
      if (Date.now() - started > BUDGET_MS) break;
      const rng = new Rng(mutantSeed(SEED, i));
      const b = rng.int(scripts.length);
      const { text, applied } = mutate(rng, tokens[b]!, tokens[rng.int(tokens.length)]!);
      ran++;
      if (loadsModule(text)) {
        outcomes.skipped++;
        continue;
      }
      const t0 = Date.now();
      try {
        await new Engine({ stdout: quiet(), stderr: quiet() }).explain(text, { file: 'fuzz.sql' });
        outcomes.planned++;
      } catch (e) {
        if (e instanceof WeirError) {
          outcomes.refused++;
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
          continue;
        }
        const file = path.join(dir, `seed-${SEED}-mutant-${i}.sql`);
        writeFileSync(file, text);
        failures.push({ index: i, base: scripts[b]!.name, applied, error: e, file });
      } finally {
        slowest.push({ ms: Date.now() - t0, index: i, applied });
        slowest.sort((x, y) => y.ms - x.ms).splice(3);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `SQL fuzz: ${ran} mutants in ${seconds} s: ${outcomes.planned} planned, ${outcomes.refused} refused ` +
        `(${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}), ${outcomes.skipped} skipped (would load a module)` +
        (ran < COUNT && ONLY === undefined ? `; stopped at the ${BUDGET_MS} ms budget` : '') +
        `; slowest: ${slowest.map((x) => `#${x.index} ${x.ms} ms (${x.applied.join(', ')})`).join('; ')}`,
    );
    for (const f of failures.slice(0, 10)) {
      const err = f.error instanceof Error ? `${f.error.name}: ${f.error.message}\n${f.error.stack ?? ''}` : String(f.error);
      console.log(
        `SQL fuzz failure: seed ${SEED} mutant ${f.index} (WEIR_FUZZ_SEED=${SEED} WEIR_FUZZ_ONLY=${f.index}), ` +
          `from ${f.base} by ${f.applied.join(', ')}; script in ${f.file}\n${err.split('\n').slice(0, 12).join('\n')}`,
      );
    }
    expect(failures.map((f) => `mutant ${f.index}: ${f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error)}`)).toEqual([]);
    // the corpus must reach the planner, not only the parser's error paths
    if (ONLY === undefined && ran >= 200) expect(outcomes.planned).toBeGreaterThan(ran / 20);
  });
});
