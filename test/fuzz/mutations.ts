/**
 * Grammar-aware mutations of SQL scripts for the fuzz test.
 *
 * A script is cut into Weir's own tokens (comments dropped), mutated as a token list, and joined with
 * spaces. The mutations aim at what a parser and planner get wrong: deleted, duplicated and swapped
 * tokens; keywords put where another keyword was; expressions wrapped in parentheses, subqueries,
 * NOTs or signs, from a few levels to past the nesting limits; long AND / OR / `||` / `+` chains and IN
 * lists; edge-case literals; and runs of tokens spliced in from another script. A rare character-level
 * edit reaches the lexer (unterminated strings and comments).
 */
import { sqlLexer } from '../../src/parser/tokens.js';

/** A small, fast, seedable generator (mulberry32); the same seed gives the same mutants. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** The seed of mutant `index` of a run: each mutant replays alone from (run seed, index). */
export function mutantSeed(runSeed: number, index: number): number {
  return (Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

export function tokensOf(sql: string): string[] {
  return sqlLexer.tokenize(sql).tokens.map((t) => t.image);
}

const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL',
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AS', 'JOIN', 'LEFT', 'ON', 'UNION', 'ALL', 'DISTINCT', 'OVER',
  'PARTITION', 'ROWS', 'BETWEEN', 'LIKE', 'EXISTS', 'TABLE', 'TUMBLE', 'HOP', 'SESSION', 'CUMULATE',
  'DESCRIPTOR', 'INTERVAL', 'CAST', 'ROW', 'WATERMARK', 'FOR', 'SYSTEM_TIME', 'OF', 'TRUE', 'FALSE', 'WITH',
  'INSERT', 'INTO', 'CREATE', 'VIEW', 'SET', 'EXPLAIN', 'DROP', 'PRIMARY', 'KEY', 'TIMESTAMP', 'DATE',
  'BIGINT', 'INT', 'DECIMAL', 'STRING', 'VARCHAR', 'PROCTIME', 'COUNT', 'SUM', 'MAX', 'ROW_NUMBER',
  'window_start', 'window_end', 'window_time', '*', ',', '(', ')', ';', '.', '=', '<>', '<', '+', '-', '||',
];

const LITERALS = [
  '0', '-1', '1.5', '1e400', '-1e400', '9007199254740993', '9223372036854775807', '9223372036854775808',
  '-9223372036854775809', '99999999999999999999999999999999999999', '0.000000000000000000001', "''", "'x'",
  "'2026-13-45 25:61:61'", 'NULL', 'TRUE', "INTERVAL '0' SECOND", "INTERVAL '-5' DAY", "TIMESTAMP '1970-01-01 00:00:00'",
];

/** Depths around the limits (100 brackets, 1,000 tree levels) as well as small ones. */
const DEPTHS = [1, 2, 3, 5, 10, 40, 99, 100, 101, 150, 250];
/**
 * Long chains cost parse and planning time (~0.1 s per 1,000 terms), so the long ones are few and
 * stop just past the tree-depth limit; test/planner/nesting-limits.test.ts runs the 20,000-term ones.
 */
const CHAIN_LENGTHS = [2, 3, 5, 17, 40, 100, 300, 999, 1001];

function isOperandToken(t: string): boolean {
  return /^([A-Za-z_`]|\d|')/.test(t) && !KEYWORDS.includes(t.toUpperCase());
}

/** Tokens after which an expression operand may stand, and before which one may end. */
const BEFORE_OPERAND = new Set(['SELECT', 'WHERE', 'HAVING', 'ON', 'WHEN', 'THEN', 'ELSE', 'AND', 'OR', 'NOT', ',', '(', '=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||']);
const AFTER_OPERAND = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'AS', 'AND', 'OR', 'THEN', 'ELSE', 'END', ',', ')', ';', '=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||']);

/**
 * A token that stands where an expression may (after SELECT, WHERE, an operator...): wrapping it keeps
 * the script's syntax, so the mutant reaches the binder and the planner. Mostly taken from the
 * queries after the last table's WITH options (the DDL before them has few expressions); now and
 * then any name or literal, wherever it is.
 */
function operandIndex(rng: Rng, ts: readonly string[]): number | undefined {
  if (rng.next() < 0.1) {
    const i = rng.int(ts.length);
    return isOperandToken(ts[i]!) ? i : undefined;
  }
  const from = ts.lastIndexOf("'connector'") + 1;
  for (let tries = 0; tries < 32; tries++) {
    const i = from + rng.int(ts.length - from);
    if (!isOperandToken(ts[i]!)) continue;
    const before = (ts[i - 1] ?? '').toUpperCase();
    const after = (ts[i + 1] ?? '').toUpperCase();
    if (BEFORE_OPERAND.has(before) && AFTER_OPERAND.has(after) && !(ts[i]!.startsWith("'") && after === '=')) return i;
  }
  return undefined;
}

function repeat(n: number, s: string): string {
  return new Array<string>(n).fill(s).join('');
}

function chainOf(n: number, term: string, op: string): string {
  return new Array<string>(n).fill(term).join(` ${op} `);
}

type Mutation = (rng: Rng, ts: string[], donor: readonly string[]) => void;

/**
 * Mutations that keep the syntax (wrapping, chains, literals) come three times, so that about half
 * of the mutants get past the parser into binding and planning.
 */
const SYNTAX_KEEPING = new Set(['literal', 'parens', 'prefixes', 'call', 'chain', 'inList', 'subquery']);

const MUTATIONS: readonly (readonly [string, Mutation])[] = [
  ['delete', (rng, ts) => { ts.splice(rng.int(ts.length), 1 + rng.int(3)); }],
  ['duplicate', (rng, ts) => { const i = rng.int(ts.length); ts.splice(i, 0, ...ts.slice(i, i + 1 + rng.int(4))); }],
  ['swap', (rng, ts) => {
    const i = rng.int(ts.length);
    const j = rng.next() < 0.5 ? Math.min(i + 1, ts.length - 1) : rng.int(ts.length);
    [ts[i], ts[j]] = [ts[j]!, ts[i]!];
  }],
  ['keyword', (rng, ts) => { ts[rng.int(ts.length)] = rng.pick(KEYWORDS); }],
  ['insertKeyword', (rng, ts) => { ts.splice(rng.int(ts.length + 1), 0, rng.pick(KEYWORDS)); }],
  ['literal', (rng, ts) => { const i = operandIndex(rng, ts); if (i !== undefined) ts[i] = rng.pick(LITERALS); }],
  ['parens', (rng, ts) => {
    const i = operandIndex(rng, ts);
    if (i === undefined) return;
    const d = rng.pick(DEPTHS);
    ts[i] = `${repeat(d, '(')}${ts[i]!}${repeat(d, ')')}`;
  }],
  ['prefixes', (rng, ts) => {
    const i = operandIndex(rng, ts);
    if (i !== undefined) ts[i] = `${repeat(rng.pick([...DEPTHS, 999, 1001, 3000]), rng.pick(['NOT ', '- ', '+ ', '-(']))}${ts[i]!}`;
  }],
  ['call', (rng, ts) => {
    const i = operandIndex(rng, ts);
    if (i === undefined) return;
    const d = rng.pick(DEPTHS);
    const f = rng.pick(['ABS(', 'COALESCE(', 'CAST(', 'UPPER(', 'CASE WHEN TRUE THEN ']);
    const close = f === 'CAST(' ? ' AS STRING)' : f.startsWith('CASE') ? ' END' : ')';
    ts[i] = `${repeat(d, f)}${ts[i]!}${repeat(d, close)}`;
  }],
  ['chain', (rng, ts) => {
    const i = operandIndex(rng, ts);
    if (i === undefined) return;
    const op = rng.pick(['AND', 'OR', '||', '+', '*', '-', '=']);
    ts[i] = `(${chainOf(rng.pick(CHAIN_LENGTHS), ts[i]!, op)})`;
  }],
  ['inList', (rng, ts) => {
    const i = operandIndex(rng, ts);
    if (i === undefined) return;
    const n = rng.pick(CHAIN_LENGTHS);
    const items = Array.from({ length: n }, (_, k) => (rng.next() < 0.8 ? String(k) : rng.pick(LITERALS)));
    ts[i] = `(${ts[i]!} ${rng.next() < 0.3 ? 'NOT ' : ''}IN (${items.join(', ')}))`;
  }],
  ['subquery', (rng, ts) => {
    const from = ts.findIndex((t, k) => k >= rng.int(ts.length) && t.toUpperCase() === 'FROM');
    if (from < 0 || from + 1 >= ts.length) return;
    const d = rng.pick(DEPTHS);
    ts[from + 1] = `${repeat(d, '(SELECT * FROM ')}${ts[from + 1]!}${repeat(d, ')')}`;
  }],
  ['splice', (rng, ts, donor) => {
    if (donor.length === 0) return;
    const at = rng.int(donor.length);
    ts.splice(rng.int(ts.length + 1), 0, ...donor.slice(at, at + 1 + rng.int(12)));
  }],
  ['replaceRun', (rng, ts, donor) => {
    if (donor.length === 0) return;
    const at = rng.int(donor.length);
    ts.splice(rng.int(ts.length), 1 + rng.int(6), ...donor.slice(at, at + 1 + rng.int(12)));
  }],
];

const WEIGHTED = MUTATIONS.flatMap((m) => (SYNTAX_KEEPING.has(m[0]) ? [m, m, m] : [m]));

/** Edits on the joined text itself, for the lexer: a stray quote, backtick or comment opener. */
function characterEdit(rng: Rng, text: string): string {
  const at = rng.int(text.length + 1);
  const ins = rng.pick(["'", '`', '/*', '--', '\u0000', '\u00e9', '$', '"', '\\']);
  return text.slice(0, at) + ins + text.slice(at);
}

export interface Mutant {
  readonly text: string;
  readonly applied: readonly string[];
}

/** 1 to 3 mutations of `base` (mostly one); `donor` (another script's tokens) feeds the splices. */
export function mutate(rng: Rng, base: readonly string[], donor: readonly string[]): Mutant {
  const ts = [...base];
  const applied: string[] = [];
  const n = rng.pick([1, 1, 1, 2, 2, 3]);
  for (let k = 0; k < n && ts.length > 0; k++) {
    const [name, m] = rng.pick(WEIGHTED);
    m(rng, ts, donor);
    applied.push(name);
  }
  let text = ts.join(' ');
  if (rng.next() < 0.03) {
    text = characterEdit(rng, text);
    applied.push('character');
  }
  return { text, applied };
}
