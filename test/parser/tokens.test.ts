import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenType } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { Lexer } from '../../src/parser/chevrotain-runtime.js';
import * as T from '../../src/parser/tokens.js';
import { REPO_ROOT } from '../support/cli.js';

const lex = (text: string) => {
  const r = T.sqlLexer.tokenize(text);
  expect(r.errors).toEqual([]);
  return r.tokens.map((t) => [t.tokenType.name, t.image]);
};

describe('lexer', () => {
  it('reads keywords in any case and keeps longer words as identifiers', () => {
    expect(lex('select SeLeCt selected INTO interval in')).toEqual([
      ['SELECT', 'select'], ['SELECT', 'SeLeCt'], ['Identifier', 'selected'], ['INTO', 'INTO'], ['INTERVAL', 'interval'], ['IN', 'in'],
    ]);
  });

  it('reads every keyword in upper, lower and mixed case, after a line break, and as a prefix of an identifier', () => {
    // the keyword tokens carry their first characters and no-line-break flag (tokens.ts, for start-up):
    // a hint that missed a case would make that spelling an identifier
    const mixed = (w: string): string => [...w].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('');
    for (const k of [...T.RESERVED_KEYWORDS, ...T.NON_RESERVED_KEYWORDS]) {
      const w = k.name;
      expect(lex(`${w} ${w.toLowerCase()}\n${mixed(w)} ${w.toLowerCase()}_x ${w}1`)).toEqual([
        [w, w], [w, w.toLowerCase()], [w, mixed(w)], ['Identifier', `${w.toLowerCase()}_x`], ['Identifier', `${w}1`],
      ]);
      expect(k.CATEGORIES).toContain(T.Keyword);
      expect(T.AnyWord.categoryMatchesMap![k.tokenTypeIdx!]).toBe(true);
      expect(T.Identifier.categoryMatchesMap![k.tokenTypeIdx!] === true).toBe(T.NON_RESERVED_KEYWORDS.includes(k));
    }
  });

  it("lexes as a lexer that works out first characters and line breaks from the patterns (chevrotain's default)", () => {
    // tokens.ts gives them (start_chars_hint, line_breaks) so that no pattern is analysed at start-up;
    // a lexer made without them must cut every text the same way, lines and columns included
    type Hinted = TokenType & { START_CHARS_HINT?: unknown; LINE_BREAKS?: unknown };
    const saved = (T.ALL_TOKENS as Hinted[]).map((t) => [t, t.START_CHARS_HINT, t.LINE_BREAKS] as const);
    let reference: InstanceType<typeof Lexer>;
    try {
      for (const [t] of saved) { delete t.START_CHARS_HINT; delete t.LINE_BREAKS; }
      reference = new Lexer(T.ALL_TOKENS as TokenType[], { positionTracking: 'full', ensureOptimizations: true });
    } finally {
      for (const [t, hint, breaks] of saved) {
        if (hint !== undefined) t.START_CHARS_HINT = hint;
        if (breaks !== undefined) t.LINE_BREAKS = breaks;
      }
    }
    const examples = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.sql'))
      .map((f) => fs.readFileSync(path.join(REPO_ROOT, 'examples', f), 'utf8'));
    expect(examples.length).toBeGreaterThan(0);
    const texts = [...examples, "SELECT `a\nb`, 'x\r\ny', 1.5e3, .5, a<>b, a!=b, a<=b => c || d -- note\n/* block\n */ x /* open\n",
      '$x _y Ünïcode \u00a0\u2028 9a [1] % ; ?', [...T.RESERVED_KEYWORDS, ...T.NON_RESERVED_KEYWORDS].map((k) => k.name.toLowerCase()).join('\n'),
      // every printable ASCII character starting a token, and the control characters
      ...Array.from({ length: 128 }, (_, c) => `${String.fromCharCode(c)}q1 x ${String.fromCharCode(c)}`),
      T.WHITE_SPACE_CHARS.map((w) => `a${w}b`).join('\u0085')];
    const shape = (r: ReturnType<typeof T.sqlLexer.tokenize>) => JSON.stringify([
      r.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset, t.startLine, t.startColumn, t.endLine, t.endColumn]),
      r.errors.map((e) => [e.offset, e.line, e.column, e.length]), (r.groups['comments'] ?? []).map((t) => [t.image, t.startLine])]);
    for (const text of texts) expect(shape(T.sqlLexer.tokenize(text)), text).toBe(shape(reference.tokenize(text)));
  });

  it("gives WhiteSpace exactly the characters of JavaScript's \\s as its first characters", () => {
    const all = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((c) => /\s/.test(c));
    expect([...T.WHITE_SPACE_CHARS].sort()).toEqual(all.sort());
  });

  it('puts non-reserved keywords and backticked names in the Identifier category, not reserved ones', () => {
    const [date, key, quoted, from] = T.sqlLexer.tokenize('date key `from` from').tokens;
    expect(T.DateKw.CATEGORIES).toContain(T.Identifier);
    expect(date!.tokenType).toBe(T.DateKw);
    expect(key!.tokenType.CATEGORIES).toContain(T.Identifier);
    expect(quoted!.tokenType).toBe(T.QuotedIdentifier);
    expect(from!.tokenType.CATEGORIES).not.toContain(T.Identifier);
    expect(from!.tokenType.CATEGORIES).toContain(T.AnyWord);
  });

  it('reads quoted identifiers with doubled backticks and strings with doubled quotes', () => {
    expect(lex("`a``b` 'it''s' ''")).toEqual([['QuotedIdentifier', '`a``b`'], ['StringLiteral', "'it''s'"], ['StringLiteral', "''"]]);
  });

  it('reads numbers: integers, decimals, leading dot, exponents', () => {
    expect(lex('12 1.5 .5 1e3 2.5E-2 3.')).toEqual([
      ['NumberLiteral', '12'], ['NumberLiteral', '1.5'], ['NumberLiteral', '.5'], ['NumberLiteral', '1e3'], ['NumberLiteral', '2.5E-2'], ['NumberLiteral', '3.'],
    ]);
  });

  it('skips -- and /* */ comments', () => {
    expect(lex('a -- rest of line\n/* block\n comment */ b')).toEqual([['Identifier', 'a'], ['Identifier', 'b']]);
  });

  it('reads multi-character operators before their prefixes', () => {
    expect(lex('|| <> != <= >= => = < > - / * %').map(([n]) => n)).toEqual([
      'Concat', 'NotEq', 'NotEq', 'LessEq', 'GreaterEq', 'Arrow', 'Eq', 'Less', 'Greater', 'Minus', 'Slash', 'Star', 'Percent',
    ]);
  });

  it('tracks lines and columns from 1 and offsets from 0', () => {
    const [, b] = T.sqlLexer.tokenize('a\n  b').tokens;
    expect([b!.startLine, b!.startColumn, b!.startOffset]).toEqual([2, 3, 4]);
  });
});
