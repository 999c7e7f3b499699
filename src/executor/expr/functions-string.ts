/**
 * String functions, as Flink defines them. Positions and lengths count UTF-16 code units as Java's
 * String does (SUBSTRING, POSITION, LPAD...), except CHAR_LENGTH, which counts code points.
 * Regular expressions are Java's syntax run in linear time by re2js (common/java-regex.ts), so no
 * pattern or row can hang a query; a pattern that does not compile gives NULL (REGEXP_EXTRACT,
 * REGEXP_REPLACE) or FALSE (REGEXP), as in Flink, and one that needs backtracking (a backreference,
 * a lookahead) fails naming the function (at plan time when it is a literal: binder/regex-patterns.ts).
 * Compiled patterns are cached per kernel, so a constant pattern is compiled once. LIKE patterns
 * run on the same engine (or plain string tests), so many '%' cannot backtrack either.
 */
import type { RE2JS } from 're2js';
import { compileJavaRegex, re2js, unsupportedRegexMessage } from '../../common/java-regex.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { FnImpl, Input, Node } from './node.js';
import { constOf, isConst, perRow, runtimeError } from './node.js';
import type { StrVec, Vec } from './vector.js';
import { boolVec } from './vector.js';
import type { Call } from '../../planner/expr.js';
import { T } from '../../common/types.js';

const str1 = (f: (s: string) => unknown): FnImpl => (args, call) => perRow(args, call.type, f as (...a: unknown[]) => unknown);
const fn = (f: (...a: never[]) => unknown): FnImpl => (args, call) => perRow(args, call.type, f as (...a: unknown[]) => unknown);

/**
 * A one-entry cache of compiled patterns for one call: patterns are usually constants, so this
 * compiles once per kernel. Null for a pattern that does not compile (Flink's NULL/FALSE); a pattern
 * the linear-time engine cannot run is a run-time error naming the function (a literal one was
 * refused when the query was bound).
 */
function regexCache(call: Call): (p: string) => RE2JS | null {
  let last: string | null = null;
  let re: RE2JS | null = null;
  return (p) => {
    if (p !== last) {
      const r = compileJavaRegex(p);
      if (r.kind === 'unsupported') throw runtimeError(unsupportedRegexMessage(call.fn.toUpperCase(), p, r), call.span);
      re = r.kind === 'compiled' ? r.re : null;
      last = p;
    }
    return re;
  };
}

// ─── LIKE ──────────────────────────────────────────────────────────────────────────────────────

type LikeMatcher = (s: string) => boolean;

/** Compile a LIKE pattern: % any run, _ one character, `escape` makes the next one literal. */
export function compileLike(pattern: string, escape: string | null, call: Call | undefined): LikeMatcher {
  if (escape !== null && escape.length !== 1) {
    throw runtimeError(`invalid escape character '${escape}' in LIKE: it must be one character`, call?.span);
  }
  let re = '';
  let plain = ''; // the pattern without wildcards, when it has none but % at the ends
  let simple = true;
  const parts: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== null && c === escape) {
      const next = pattern[i + 1];
      if (next === undefined || (next !== '%' && next !== '_' && next !== escape)) {
        throw runtimeError(`invalid escape sequence in LIKE pattern '${pattern}' at position ${i + 1}`, call?.span);
      }
      re += escapeRegex(next);
      plain += next;
      i++;
    } else if (c === '%') {
      re += '.*';
      parts.push(plain);
      plain = '';
    } else if (c === '_') {
      re += '.';
      simple = false;
    } else {
      re += escapeRegex(c);
      plain += c;
    }
  }
  parts.push(plain);
  if (simple) {
    // Flink's fast paths: 'abc', 'abc%', '%abc', '%abc%' as equals/startsWith/endsWith/includes
    if (parts.length === 1) { const p = parts[0]!; return (s) => s === p; }
    if (parts.length === 2 && parts[1] === '') { const p = parts[0]!; return (s) => s.startsWith(p); }
    if (parts.length === 2 && parts[0] === '') { const p = parts[1]!; return (s) => s.endsWith(p); }
    if (parts.length === 3 && parts[0] === '' && parts[2] === '') { const p = parts[1]!; return (s) => s.includes(p); }
  }
  // RE2, not RegExp: '%a%a%a%b' over a long run of 'a's would backtrack polynomially
  const rx = re2js().compile(re, re2js().DOTALL);
  return (s) => rx.testExact(s);
}

const escapeRegex = (c: string): string => re2js().quote(c);

const like: FnImpl = (args, call) => {
  const [s, p, e] = args as [Node, Node, Node | undefined];
  if (isConst(p) && (!e || isConst(e))) {
    const pat = constOf(p), esc = e ? constOf(e) : null;
    if (pat === null || (e && esc === null)) return perRow(args, T.BOOLEAN, () => null, true);
    const m = compileLike(pat as string, esc as string | null, call);
    return (inp: Input): Vec => {
      const v = s.eval(inp) as StrVec;
      const n = inp.length, out = new Uint8Array(n), valid = v.valid;
      for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) out[i] = m(v.get(i)) ? 1 : 0;
      return boolVec(out, valid);
    };
  }
  let lastKey: string | null = null;
  let lastM: LikeMatcher = () => false;
  return perRow(args, T.BOOLEAN, (str, pat, esc) => {
    const key = `${esc ?? ''}\u0000${pat as string}`;
    if (key !== lastKey) { lastM = compileLike(pat as string, (esc as string | undefined) ?? null, call); lastKey = key; }
    return lastM(str as string);
  });
};

// ─── the rest ──────────────────────────────────────────────────────────────────────────────────

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n--; i++; }
  }
  return n;
}

/** Remove leading and/or trailing characters that appear in `chars`. */
function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let a = 0, b = s.length;
  if (leading) while (a < b && chars.includes(s[a]!)) a++;
  if (trailing) while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function substring(s: string, start: number, len = Number.MAX_SAFE_INTEGER): string | null {
  if (len < 0) return null;
  if (s.length === 0) return '';
  let from: number;
  if (start > 0) { from = start - 1; if (from >= s.length) return ''; } else if (start < 0) {
    from = s.length + start;
    if (from < 0) return '';
  } else from = 0;
  return s.slice(from, s.length - from < len ? s.length : from + len);
}

function pad(base: string, len: number, padding: string, left: boolean): string | null {
  if (len < 0 || padding === '') return null;
  if (len === 0) return '';
  if (base.length >= len) return base.slice(0, len);
  const need = len - base.length;
  const fill = padding.repeat(Math.ceil(need / padding.length)).slice(0, need);
  return left ? fill + base : base + fill;
}

function initcap(s: string): string {
  let out = '';
  let start = true;
  for (const ch of s) {
    const word = /[\p{L}\p{N}]/u.test(ch);
    out += word ? (start ? ch.toUpperCase() : ch.toLowerCase()) : ch;
    start = !word;
  }
  return out;
}

/** Apache Commons' splitByWholeSeparatorPreserveAllTokens, which Flink's SPLIT_INDEX uses. */
function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0 || s === '') return null;
  if (sep === '') {
    const parts = s.split(/\s/);
    return index < parts.length ? parts[index]! : null;
  }
  // the index-th token found by scanning, without splitting the whole string (q22 asks three tokens a URL)
  let start = 0;
  for (let k = 0; k < index; k++) {
    const at = s.indexOf(sep, start);
    if (at < 0) return null;
    start = at + sep.length;
  }
  const end = s.indexOf(sep, start);
  return end < 0 ? s.slice(start) : s.slice(start, end);
}

/** Inputs longer than this are not remembered (a memo entry holds its input). */
const MEMO_MAX_LENGTH = 256;
const MEMO_ENTRIES = 16_384;

/**
 * The results of one regular-expression call for the inputs it has seen, while its pattern and other
 * argument stay the same. Linear-time matching costs microseconds per row where a backtracking engine
 * takes a fraction of one; streams repeat values (URLs, channels, categories), and the functions are
 * pure, so a repeated input costs one Map lookup. Bounded: short inputs only, cleared when full.
 */
class RegexMemo<R> {
  private pattern: string | null = null;
  private other: unknown = undefined;
  private readonly results = new Map<string, R>();

  get(pattern: string, other: unknown, input: string, compute: () => R): R {
    if (pattern !== this.pattern || other !== this.other) {
      this.results.clear();
      this.pattern = pattern;
      this.other = other;
    }
    if (input.length > MEMO_MAX_LENGTH) return compute();
    const hit = this.results.get(input);
    if (hit !== undefined) return hit;
    const r = compute();
    if (this.results.size >= MEMO_ENTRIES) this.results.clear();
    this.results.set(input, r);
    return r;
  }
}

const regexpExtract: FnImpl = (args, call) => {
  const cache = regexCache(call);
  const memo = new RegexMemo<string | null>();
  return perRow(args, call.type, (s, p, idx) => memo.get(p as string, idx, s as string, () => {
    const re = cache(p as string);
    if (re === null) return null;
    const m = re.exec(s as string);
    if (m === null) return null;
    const g = idx === undefined ? 0 : (idx as number);
    if (g < 0 || g >= m.length) return null;
    return (m[g] as string | undefined) ?? null;
  }));
};

const regexpReplace: FnImpl = (args, call) => {
  const cache = regexCache(call);
  const memo = new RegexMemo<string | null>();
  return perRow(args, call.type, (s, p, r) => memo.get(p as string, r, s as string, () => {
    const re = cache(p as string);
    if (re === null) return null;
    // Flink quotes the replacement: it is literal text, $1 included (a function's result is not parsed)
    return re.matcher(s as string).replaceAll(() => r as string);
  }));
};

const regexp: FnImpl = (args, call) => {
  const cache = regexCache(call);
  const memo = new RegexMemo<boolean>();
  return perRow(args, call.type, (s, p) => {
    if ((p as string).length === 0) return false;
    return memo.get(p as string, undefined, s as string, () => {
      const re = cache(p as string);
      return re === null ? false : re.test(s as string);
    });
  });
};

const concat: FnImpl = (args, call) => perRow(args, call.type, (...xs) => xs.join(''));

/** CONCAT_WS(sep, ...): NULL separator gives NULL; NULL arguments are skipped. */
const concatWs: FnImpl = (args, call) => perRow(args, call.type, (sep, ...xs) => {
  if (sep === null) return null;
  return xs.filter((x) => x !== null).join(sep as string);
}, true);

export const STRING_FUNCTIONS = {
  concat,
  concat_ws: concatWs,
  upper: str1((s) => s.toUpperCase()),
  lower: str1((s) => s.toLowerCase()),
  initcap: str1(initcap),
  reverse: str1((s) => Array.from(s).reverse().join('')),
  trim: fn((mode: string, chars: string, s: string) =>
    trimChars(s, chars, mode.toUpperCase() !== 'TRAILING', mode.toUpperCase() !== 'LEADING')),
  ltrim: fn((s: string, chars?: string) => trimChars(s, chars ?? ' ', true, false)),
  rtrim: fn((s: string, chars?: string) => trimChars(s, chars ?? ' ', false, true)),
  substring: fn(substring),
  char_length: str1(codePoints),
  position: fn((needle: string, hay: string) => hay.indexOf(needle) + 1),
  replace: fn((s: string, from: string, to: string) => s.replaceAll(from, () => to)),
  like,
  regexp,
  regexp_extract: regexpExtract,
  regexp_replace: regexpReplace,
  split_index: fn(splitIndex),
  lpad: fn((s: string, len: number, p: string) => pad(s, len, p, true)),
  rpad: fn((s: string, len: number, p: string) => pad(s, len, p, false)),
  repeat: fn((s: string, k: number) => (k <= 0 ? '' : s.repeat(k))),
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
