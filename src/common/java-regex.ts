/**
 * Java regular expressions (Flink's REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE) run in linear time.
 *
 * JavaScript's RegExp backtracks: `(a+)+$` over 34 `a`s and a `b` blocks the process for seconds, and
 * a streaming engine runs user patterns over untrusted rows. Patterns run on re2js instead, a pure-JS
 * port of RE2: time linear in the input, whatever the pattern. Java syntax is translated where RE2
 * spells it differently (`\uXXXX`, POSIX classes `\p{Alpha}`, `\p{IsLatin}`, `\e`, `\cX`, `\Z`);
 * lookbehind runs on re2js' linear-time lookbehinds.
 *
 * What a linear-time engine cannot run (backreferences, lookahead, atomic groups, possessive
 * quantifiers), and Java syntax RE2 would read differently (class intersections and nested classes,
 * Unicode blocks, other inline flags) is `unsupported`: the caller makes it an error
 * naming the function. A pattern that is not a regular expression at all is `invalid`: Flink gives
 * NULL (or FALSE) for it, and so does Weir.
 *
 * Known differences from java.util.regex that remain: without MULTILINE, `$` matches only at the very
 * end (Java also before a final line terminator), and `.` excludes only `\n` (Java also `\r`,
 * U+0085, U+2028, U+2029).
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

let re2: typeof RE2JS | undefined;

/**
 * re2js (260 KB of code), loaded when a pattern is first compiled: binding a query loads this module
 * but only a regular expression needs the engine, and `weir explain` of most scripts has none (issue 12
 * item 4). Its CommonJS build, so that it loads synchronously; the run-time kernels take it from here too.
 */
export function re2js(): typeof RE2JS {
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  return re2;
}

export type JavaRegex =
  | { readonly kind: 'compiled'; readonly re: RE2JS }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'unsupported'; readonly construct: string; readonly offset: number };

const POSIX: Readonly<Record<string, string>> = {
  Lower: 'lower', Upper: 'upper', ASCII: 'ascii', Alpha: 'alpha', Digit: 'digit', Alnum: 'alnum', Punct: 'punct',
  Graph: 'graph', Print: 'print', Blank: 'blank', Cntrl: 'cntrl', XDigit: 'xdigit', Space: 'space',
};
const JAVA_CASE: Readonly<Record<string, string>> = { javaLowerCase: 'Ll', javaUpperCase: 'Lu', javaTitleCase: 'Lt' };

/** Constructs of Java's syntax that no linear-time engine runs, found by a scan of the pattern. */
const UNSUPPORTED: readonly { readonly re: RegExp; readonly what: (m: string) => string }[] = [
  { re: /\\[1-9]|\\k<[A-Za-z][A-Za-z0-9]*>/, what: (m) => `a backreference (${m})` },
  { re: /\(\?[=!]/, what: (m) => `a lookahead (${m}...)` },
  { re: /\(\?>/, what: () => 'an atomic group ((?>...))' },
  { re: /(?:[*+?]|\{\d+(?:,\d*)?\})\+/, what: (m) => `a possessive quantifier (${m})` },
  { re: /\\p\{In[A-Za-z_]+\}/, what: (m) => `a Unicode block (${m})` },
  { re: /\(\?[a-z]*[xdu][a-z-]*[):]/, what: (m) => `the inline flag ${m.slice(0, -1)}) (only i, m and s are supported)` },
  { re: /\\[GRXhHvV]|\\b\{g\}/, what: (m) => `the escape ${m}` },
];

/** Escapes whose letter matters to the scan for unsupported syntax; any other `\\X` is masked out. */
const KEPT_ESCAPES = new Set([...'123456789kpGRXhHvVb']);

/**
 * The pattern with what a scan for syntax must not read masked by spaces (same offsets): literal
 * text (\Q...\E), escaped characters, character class contents. A `&&` inside a class (Java
 * intersects classes; RE2 would read two '&') is reported by its offset.
 */
function maskForScan(pattern: string): { readonly text: string; readonly intersection: number | undefined; readonly nested: number | undefined } {
  const out: string[] = [];
  let depth = 0;
  let intersection: number | undefined;
  let nested: number | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end + 2;
        out.push(' '.repeat(stop - i));
        i = stop - 1;
      } else if (e !== undefined && depth === 0 && KEPT_ESCAPES.has(e)) {
        out.push(c, e);
        i++;
      } else {
        out.push(e === undefined ? ' ' : '  ');
        i++;
      }
      continue;
    }
    if (c === '[') {
      depth++;
      // Java reads a '[' inside a class as a nested class (a union); RE2 as a character or a POSIX class
      if (depth === 2 && nested === undefined) nested = i;
      out.push(depth === 1 ? c : ' ');
      continue;
    }
    if (c === ']' && depth > 0) { depth--; out.push(depth === 0 ? c : ' '); continue; }
    if (depth > 0) {
      if (c === '&' && pattern[i + 1] === '&' && intersection === undefined) intersection = i;
      out.push(' ');
      continue;
    }
    out.push(c);
  }
  return { text: out.join(''), intersection, nested };
}

function findUnsupported(pattern: string): { construct: string; offset: number } | undefined {
  const { text, intersection, nested } = maskForScan(pattern);
  let best: { construct: string; offset: number } | undefined =
    intersection === undefined ? undefined : { construct: 'a character class intersection (&&)', offset: intersection };
  if (nested !== undefined && (best === undefined || nested < best.offset)) best = { construct: 'a nested character class', offset: nested };
  for (const u of UNSUPPORTED) {
    const m = u.re.exec(text);
    if (m && (best === undefined || m.index < best.offset)) best = { construct: u.what(m[0]), offset: m.index };
  }
  return best;
}

/** Java's spelling to RE2's, for the escapes they spell differently (everything else is the same). */
export function translateJavaRegex(pattern: string): string {
  let out = '';
  let inClass = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '[') { inClass++; out += c; continue; }
    if (c === ']' && inClass > 0) { inClass--; out += c; continue; }
    if (c !== '\\' || i + 1 >= pattern.length) { out += c; continue; }
    const e = pattern[i + 1]!;
    if (e === 'Q') { // \Q...\E is literal text: copied as it is (RE2 reads it the same way)
      const end = pattern.indexOf('\\E', i + 2);
      const stop = end < 0 ? pattern.length : end + 2;
      out += pattern.slice(i, stop);
      i = stop - 1;
      continue;
    }
    const unicode = e === 'u' ? /^[0-9a-fA-F]{4}/.exec(pattern.slice(i + 2)) : null;
    if (unicode) { out += `\\x{${unicode[0]}}`; i += 5; continue; }
    const prop = e === 'p' || e === 'P' ? /^\{(\w+)\}/.exec(pattern.slice(i + 2)) : null;
    if (prop) {
      const name = prop[1]!;
      const neg = e === 'P' ? '^' : '';
      const posix = POSIX[name];
      if (posix) out += inClass > 0 ? `[:${neg}${posix}:]` : `[[:${neg}${posix}:]]`;
      else if (JAVA_CASE[name]) out += `\\${e}{${JAVA_CASE[name]}}`;
      else if (/^Is[A-Z]/.test(name)) out += `\\${e}{${name.slice(2)}}`;
      else out += `\\${e}{${name}}`;
      i += 1 + prop[0].length;
      continue;
    }
    if (e === 'e') { out += '\\x1B'; i++; continue; }
    if (e === 'Z') { out += '\\z'; i++; continue; }
    const control = e === 'c' ? pattern[i + 2] : undefined;
    if (control !== undefined) { out += `\\x{${(control.charCodeAt(0) ^ 64).toString(16)}}`; i += 2; continue; }
    out += c + e;
    i++;
  }
  return out;
}

/** Compile a Java pattern to a linear-time matcher, or say why it cannot be one. */
export function compileJavaRegex(pattern: string): JavaRegex {
  const unsupported = findUnsupported(pattern);
  if (unsupported) return { kind: 'unsupported', ...unsupported };
  try {
    const RE2 = re2js();
    return { kind: 'compiled', re: RE2.compile(translateJavaRegex(pattern), RE2.LOOKBEHINDS) };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    // re2js refuses a capturing group inside a lookbehind, which Java runs
    if (/lookbehind/i.test(reason)) return { kind: 'unsupported', construct: 'a capturing group inside a lookbehind', offset: 0 };
    return { kind: 'invalid', reason };
  }
}

/** The sentence for an unsupported pattern, for both the plan-time and the run-time error. */
export function unsupportedRegexMessage(fn: string, pattern: string, r: { readonly construct: string; readonly offset: number }): string {
  return `${fn}: the pattern '${pattern}' uses ${r.construct} at position ${r.offset + 1}, which Weir's linear-time regular `
    + 'expressions (RE2) cannot run; rewrite it without backreferences, lookahead, atomic groups or possessive quantifiers';
}
