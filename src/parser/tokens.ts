/**
 * The lexer: chevrotain token types for Weir's Flink SQL dialect.
 *
 * Keywords are case-insensitive. Three token categories let the grammar stay small:
 *  - `Identifier` is both the plain-identifier token and a category. Backticked identifiers and the
 *    non-reserved keywords belong to it, so `value`, `key`, `date`, `timestamp`, `system`, `language`
 *    ... are columns wherever Flink allows them, and the grammar consumes "an identifier" once.
 *  - `AnyWord` holds every identifier and every keyword (reserved too): named TVF arguments
 *    (`OFFSET => ...`), SET keys, interval and EXTRACT units are any word, validated afterwards.
 *  - `Keyword` marks keyword tokens (used by error messages).
 * Words that are only function or type names (COUNT, HOUR, INT, VARCHAR, ...) are plain identifiers:
 * the grammar never needs them as keywords.
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain-runtime.js';

export const AnyWord = createToken({ name: 'AnyWord', pattern: Lexer.NA, label: 'a word' });
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });

/** what chevrotain's lexer would otherwise work out from the patterns at every start (see keyword()) */
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
const DIGITS = [...'0123456789'];

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_$]*/,
  label: 'an identifier',
  categories: [AnyWord],
  line_breaks: false,
  start_chars_hint: [...LETTERS, '_'],
});

/** `` `name` `` with ``` `` ``` for a backtick inside. */
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /`(?:[^`]|``)*`/,
  label: 'an identifier',
  categories: [Identifier],
  line_breaks: true,
  start_chars_hint: ['`'],
});

const reservedList: TokenType[] = [];
const nonReservedList: TokenType[] = [];

/**
 * Start-up (issue 12 item 4): what chevrotain would work out from each keyword's pattern at every
 * start is given: its first characters (`start_chars_hint`, both cases: the pattern ignores case) and
 * that it holds no line break, so the lexer parses no keyword regex. The categories are set after
 * createToken: given to it, each keyword recomputes every category's member list (quadratic in the
 * keywords, tens of milliseconds); the Lexer below (and the parser) compute them once for all tokens.
 * test/parser/tokens.test.ts checks that every keyword still lexes in any case.
 */
function keyword(word: string, reserved: boolean): TokenType {
  const t = createToken({
    name: word,
    pattern: new RegExp(word, 'i'),
    label: `'${word}'`,
    longer_alt: Identifier,
    line_breaks: false,
    start_chars_hint: [word[0]!.toUpperCase(), word[0]!.toLowerCase()],
  });
  t.CATEGORIES = reserved ? [Keyword, AnyWord] : [Keyword, Identifier];
  (reserved ? reservedList : nonReservedList).push(t);
  return t;
}
const reserved = (w: string): TokenType => keyword(w, true);
const nonReserved = (w: string): TokenType => keyword(w, false);

// ─── Reserved keywords (as in Flink/Calcite: usable as names only in backticks) ─────────────────
export const Select = reserved('SELECT');
export const From = reserved('FROM');
export const Where = reserved('WHERE');
export const Group = reserved('GROUP');
export const By = reserved('BY');
export const Having = reserved('HAVING');
export const Order = reserved('ORDER');
export const Limit = reserved('LIMIT');
export const Offset = reserved('OFFSET');
export const Union = reserved('UNION');
export const Intersect = reserved('INTERSECT');
export const Except = reserved('EXCEPT');
export const All = reserved('ALL');
export const Distinct = reserved('DISTINCT');
export const As = reserved('AS');
export const On = reserved('ON');
export const Using = reserved('USING');
export const Join = reserved('JOIN');
export const Inner = reserved('INNER');
export const Left = reserved('LEFT');
export const Right = reserved('RIGHT');
export const Full = reserved('FULL');
export const Outer = reserved('OUTER');
export const Cross = reserved('CROSS');
export const And = reserved('AND');
export const Or = reserved('OR');
export const Not = reserved('NOT');
export const Null = reserved('NULL');
export const True = reserved('TRUE');
export const False = reserved('FALSE');
export const Unknown = reserved('UNKNOWN');
export const Is = reserved('IS');
export const In = reserved('IN');
export const Like = reserved('LIKE');
export const Similar = reserved('SIMILAR');
export const Escape = reserved('ESCAPE');
export const Between = reserved('BETWEEN');
export const Symmetric = reserved('SYMMETRIC');
export const Asymmetric = reserved('ASYMMETRIC');
export const Case = reserved('CASE');
export const When = reserved('WHEN');
export const Then = reserved('THEN');
export const Else = reserved('ELSE');
export const End = reserved('END');
export const TryCast = reserved('TRY_CAST');
export const Cast = reserved('CAST');
export const Exists = reserved('EXISTS');
export const Interval = reserved('INTERVAL');
export const Create = reserved('CREATE');
export const Table = reserved('TABLE');
export const Insert = reserved('INSERT');
export const Into = reserved('INTO');
export const With = reserved('WITH');
export const Without = reserved('WITHOUT');
export const SetKw = reserved('SET');
export const Drop = reserved('DROP');
export const Explain = reserved('EXPLAIN');
export const For = reserved('FOR');
export const SystemTime = reserved('SYSTEM_TIME');
export const Of = reserved('OF');
export const Over = reserved('OVER');
/** `WINDOW w AS (...)` after HAVING: named OVER windows (reserved, as in Flink) */
export const WindowKw = reserved('WINDOW');
export const Partition = reserved('PARTITION');
export const Filter = reserved('FILTER');
export const Rows = reserved('ROWS');
export const Row = reserved('ROW');
export const Range = reserved('RANGE');
export const Unbounded = reserved('UNBOUNDED');
export const Current = reserved('CURRENT');
export const Descriptor = reserved('DESCRIPTOR');
export const Lateral = reserved('LATERAL');
export const To = reserved('TO');
export const Extract = reserved('EXTRACT');
export const Trim = reserved('TRIM');
export const Both = reserved('BOTH');
export const Leading = reserved('LEADING');
export const Trailing = reserved('TRAILING');
export const Substring = reserved('SUBSTRING');
export const Position = reserved('POSITION');
export const Floor = reserved('FLOOR');
export const Ceiling = reserved('CEILING');
export const Ceil = reserved('CEIL');
export const Primary = reserved('PRIMARY');
export const Constraint = reserved('CONSTRAINT');
export const FunctionKw = reserved('FUNCTION');

// ─── Non-reserved keywords: keywords where the grammar needs them, identifiers elsewhere ────────
export const If = nonReserved('IF');
export const Temporary = nonReserved('TEMPORARY');
export const System = nonReserved('SYSTEM');
export const View = nonReserved('VIEW');
export const Language = nonReserved('LANGUAGE');
export const Watermark = nonReserved('WATERMARK');
export const Key = nonReserved('KEY');
export const Enforced = nonReserved('ENFORCED');
export const Partitioned = nonReserved('PARTITIONED');
export const Comment = nonReserved('COMMENT');
export const Overwrite = nonReserved('OVERWRITE');
export const Plan = nonReserved('PLAN');
export const Asc = nonReserved('ASC');
export const Desc = nonReserved('DESC');
export const Nulls = nonReserved('NULLS');
export const First = nonReserved('FIRST');
export const Last = nonReserved('LAST');
export const Preceding = nonReserved('PRECEDING');
export const Following = nonReserved('FOLLOWING');
export const TimestampKw = nonReserved('TIMESTAMP');
export const DateKw = nonReserved('DATE');
export const TimeKw = nonReserved('TIME');
export const Local = nonReserved('LOCAL');
export const Zone = nonReserved('ZONE');
export const Precision = nonReserved('PRECISION');

// ─── Literals, operators, punctuation ───────────────────────────────────────────────────────────
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, label: 'a string', line_breaks: true, start_chars_hint: ["'"] });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
  line_breaks: false,
  start_chars_hint: [...DIGITS, '.'],
});

const punct = (name: string, pattern: RegExp | string, image: string): TokenType =>
  createToken({ name, pattern, label: `'${image}'`, line_breaks: false });

export const Arrow = punct('Arrow', '=>', '=>');
export const LessEq = punct('LessEq', '<=', '<=');
export const GreaterEq = punct('GreaterEq', '>=', '>=');
export const NotEq = createToken({ name: 'NotEq', pattern: /<>|!=/, label: "'<>'", line_breaks: false, start_chars_hint: ['<', '!'] });
export const Concat = punct('Concat', '||', '||');
export const Eq = punct('Eq', '=', '=');
export const Less = punct('Less', '<', '<');
export const Greater = punct('Greater', '>', '>');
export const Plus = punct('Plus', '+', '+');
export const Minus = punct('Minus', '-', '-');
export const Star = punct('Star', '*', '*');
export const Slash = punct('Slash', '/', '/');
export const Percent = punct('Percent', '%', '%');
export const LParen = punct('LParen', '(', '(');
export const RParen = punct('RParen', ')', ')');
export const Comma = punct('Comma', ',', ',');
export const Semicolon = punct('Semicolon', ';', ';');
export const Dot = punct('Dot', '.', '.');
export const LBracket = punct('LBracket', '[', '[');
export const RBracket = punct('RBracket', ']', ']');

/** The characters JavaScript's `\s` matches (test/parser/tokens.test.ts compares them with it). */
export const WHITE_SPACE_CHARS: readonly string[] = [
  '\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
  '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff',
];
export const WhiteSpace = createToken({
  name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true, start_chars_hint: [...WHITE_SPACE_CHARS],
});
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED, line_breaks: false, start_chars_hint: ['-'] });
// Kept in a group of their own (not SKIPPED) so that SQL hints, `/*+ … */`, can be refused
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true, start_chars_hint: ['/'] });
/** A `/*` with no end: lexed as one token so that parse.ts can report it where it starts. */
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, label: "'/*'", line_breaks: true, start_chars_hint: ['/'] });

export const RESERVED_KEYWORDS: readonly TokenType[] = reservedList;
export const NON_RESERVED_KEYWORDS: readonly TokenType[] = nonReservedList;

/** Longer keywords first: the lexer takes the first pattern that matches, so INTO must come before IN. */
const byLengthDesc = (a: TokenType, b: TokenType): number => b.name.length - a.name.length;
const keywordTokens = [...reservedList, ...nonReservedList].sort(byLengthDesc);

/**
 * Order matters: comments before operators (`--` before `-`, `/*` before `/`), longer operators
 * before their prefixes, numbers before `.`, keywords before Identifier (each keyword falls back to
 * Identifier through `longer_alt`, so `selected` stays one identifier).
 */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  QuotedIdentifier,
  NumberLiteral,
  Arrow,
  LessEq,
  GreaterEq,
  NotEq,
  Concat,
  Eq,
  Less,
  Greater,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  Comma,
  Semicolon,
  Dot,
  LBracket,
  RBracket,
  ...keywordTokens,
  Identifier,
  AnyWord,
  Keyword,
];

export const sqlLexer = new Lexer(ALL_TOKENS as TokenType[], {
  positionTracking: 'full',
  ensureOptimizations: false,
  // the token patterns' checks cost tens of milliseconds at every start; the parser tests run them
  // (WEIR_VALIDATE_GRAMMAR=1, test/parser/grammar-validation.test.ts) as they do the grammar's
  skipValidations: process.env.WEIR_VALIDATE_GRAMMAR !== '1',
});
