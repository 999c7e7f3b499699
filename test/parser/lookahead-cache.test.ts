/**
 * The parser's lookahead read from stored paths (src/parser/lookahead-cache.ts): the stored file is
 * that of the current grammar, its paths are chevrotain's, and a parser using them parses (and fails
 * to parse) exactly as one computing its lookahead as chevrotain does. Every other parser test runs
 * with the stored paths too.
 */
import type { CstNode, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { MAX_LOOKAHEAD, SqlParser } from '../../src/parser/grammar.js';
import { CachedLookahead } from '../../src/parser/lookahead-cache.js';
import { decodeDecision, encodeDecision } from '../../src/parser/lookahead-encoding.js';
import { STORED_LOOKAHEAD } from '../../src/parser/lookahead-paths.generated.js';
import { ALL_TOKENS, sqlLexer } from '../../src/parser/tokens.js';

const REGENERATE = 'the grammar changed: run `npm run build && node scripts/generate-lookahead-paths.mjs && npm run build`';

/** A CST as plain data: token types by name, no parser internals. */
function plain(cst: CstNode | undefined): string {
  return JSON.stringify(cst, (k, v) => (k === 'tokenType' ? (v as { name: string }).name : v));
}

function parseBoth(stored: SqlParser, computed: SqlParser, sql: string): void {
  const tokens = (): IToken[] => sqlLexer.tokenize(sql).tokens;
  const a = stored.parseWith('statementChunk', tokens());
  const aErrors = stored.errors.map((e) => `${e.name} ${e.message} @${e.token.startOffset}`);
  const b = computed.parseWith('statementChunk', tokens());
  const bErrors = computed.errors.map((e) => `${e.name} ${e.message} @${e.token.startOffset}`);
  expect(aErrors, sql).toEqual(bErrors);
  expect(plain(a), sql).toBe(plain(b));
}

describe('stored lookahead paths', () => {
  it('are those of the current grammar', () => {
    const parser = new SqlParser(new CachedLookahead(ALL_TOKENS, MAX_LOOKAHEAD));
    expect(parser.lookahead.storedIsCurrent(), REGENERATE).toBe(true);
  });

  it("equal chevrotain's paths (the decisions cheap to compute)", () => {
    const data = { tokens: STORED_LOOKAHEAD.tokens, decisions: Object.fromEntries(Object.entries(STORED_LOOKAHEAD.decisions).map(([k, v]) => [k, decodeDecision(v)])) };
    // the decisions reaching into expressions take seconds to compute; the small ones are compared
    const small = Object.entries(data.decisions).filter(([, alts]) => alts.flat(2).length <= 40).map(([k]) => k);
    expect(small.length).toBeGreaterThan(100);
    const parser = new SqlParser(new CachedLookahead(ALL_TOKENS, MAX_LOOKAHEAD, false));
    const computed = parser.lookahead.computeAllPaths(new Set(small));
    for (const key of small) {
      const names = (d: { tokens: readonly string[]; decisions: Readonly<Record<string, number[][][]>> }) =>
        d.decisions[key]!.map((alt) => alt.map((p) => p.map((i) => d.tokens[i])));
      expect(names(computed), key).toEqual(names(data));
    }
  });

  it('encode each decision so that it decodes to the same paths', () => {
    const alts = [[[0, 1, 2], [3]], [[125, 0, 40, 7]], [[2]]];
    expect(decodeDecision(encodeDecision(alts))).toEqual(alts);
    for (const text of Object.values(STORED_LOOKAHEAD.decisions)) expect(encodeDecision(decodeDecision(text))).toBe(text);
  });

  it('parse as the computed lookahead does, errors and recovery included', () => {
    const stored = new SqlParser(new CachedLookahead(ALL_TOKENS, MAX_LOOKAHEAD));
    const computed = new SqlParser(new CachedLookahead(ALL_TOKENS, MAX_LOOKAHEAD, false));
    for (const sql of [
      "CREATE TABLE t (a INT, b STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');",
      'INSERT INTO out SELECT user_name, SUM(amount), COUNT(*), COUNT(DISTINCT x) FROM payments GROUP BY user_name;',
      'SELECT t.*, a AS x, b y, f(DISTINCT c) FILTER (WHERE c > 1) FROM t WHERE NOT a IS NULL AND b IN (1, 2) HAVING MAX(b) > 0',
      'SELECT a FROM t GROUP BY GROUPING SETS ((a), ()), ROLLUP (b)',
      'SELECT CASE WHEN a THEN 1 ELSE 2 END, CAST(a AS BIGINT), -a * (b + c) FROM (SELECT * FROM t) s',
      "SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))",
      'SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) FROM t',
      "SELECT JSON_VALUE(j, '$.a' RETURNING INT NULL ON EMPTY) FROM t",
      'SELECT a, FROM t',
      'SELECT SUM( FROM t',
      'INSERT INTO SELECT 1',
    ]) parseBoth(stored, computed, sql);
  }, 60_000);
});
