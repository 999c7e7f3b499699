/**
 * The parser's LL(k) lookahead, read from paths computed ahead of time when they are current.
 *
 * Chevrotain decides each OR / OPTION / MANY by the token sequences ("paths", up to k tokens) that
 * start each choice. Computing them walks the grammar and, for the decisions that reach into the
 * expression rules, costs from a tenth of a second to seconds each (a function call's arguments,
 * a SELECT item, a GROUP BY element, JSON_VALUE's clauses): most of `weir explain`'s start-up. The
 * paths depend only on the grammar, so scripts/generate-lookahead-paths.mjs computes every decision's
 * paths with chevrotain's own algorithm and stores them in lookahead-paths.generated.ts, with a
 * fingerprint of the grammar (its serialized rules, the token types and their categories, k).
 *
 * At start-up the fingerprint is compared with the running grammar's: equal, a decision's function is
 * built from the stored paths when the parser first reaches it; different (the grammar changed and the
 * file was not generated again: test/parser/lookahead-cache.test.ts fails then), every decision falls
 * back to chevrotain computing its paths on first use. Either way a decision matches the same tokens:
 * the functions below are chevrotain's LL(k) decision functions over the same paths.
 */
import type { ILookaheadStrategy, IOrAlt, IToken, Rule, TokenType } from 'chevrotain';
import { EOF, getLookaheadPaths, LLkLookaheadStrategy, serializeGrammar } from './chevrotain-runtime.js';
import { splitDecision, tokenIndex, type EncodedPaths } from './lookahead-encoding.js';
import { STORED_LOOKAHEAD } from './lookahead-paths.generated.js';

type AlternationOptions = Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0];
type OptionalOptions = Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0];
type AltFunction = (orAlts?: IOrAlt<unknown>[]) => number | undefined;
/** `this` of a lookahead function is the parser */
interface Reader { LA(i: number): IToken }
/** chevrotain's paths for one decision: per alternative, the token sequences that choose it */
type Paths = TokenType[][][];
/**
 * One decision's stored paths, read as they are stored: per alternative its paths, each a string of
 * token characters (lookahead-encoding.ts) standing for `types[tokenIndex(path, i)]`. Not turned into
 * arrays of token types: a function call's or a GROUP BY's decision has thousands of paths, and doing
 * that took 10-30 ms of `weir explain`.
 */
interface StoredDecision {
  readonly alts: readonly (readonly string[])[];
  readonly types: readonly TokenType[];
}

/** Every decision's paths as computed: token types by name, paths as indices into `tokens`. */
interface StoredPaths {
  readonly fingerprint: string;
  readonly tokens: readonly string[];
  readonly decisions: Readonly<Record<string, EncodedPaths>>;
}

/** What identifies a decision across runs: its rule, its kind and its occurrence index. */
function decisionKey(rule: Rule, prodType: string, occurrence: number): string {
  return `${rule.name}/${prodType}/${occurrence}`;
}

/**
 * The grammar, the token vocabulary (with categories) and k, hashed. Not a cryptographic hash: this
 * tells a stale file from a current one, and loading node:crypto cost `weir explain` 15-30 ms (issue 12
 * item 4). Two 32-bit FNV-1a lanes with different offsets, and the text's length.
 */
export function grammarFingerprint(rules: readonly Rule[], tokens: readonly TokenType[], maxLookahead: number): string {
  const vocabulary = tokens.map((t) => `${t.name}:${(t.CATEGORIES ?? []).map((c) => c.name).join(',')}`);
  const text = JSON.stringify([maxLookahead, vocabulary, serializeGrammar(rules as Rule[])]);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return `${hex(a)}${hex(b)}-${text.length}`;
}

function matches(token: IToken, type: TokenType): boolean {
  // chevrotain's tokenStructuredMatcher: the type itself, or a category it belongs to
  return token.tokenTypeIdx === type.tokenTypeIdx || (type.isParent === true && type.categoryMatchesMap![token.tokenTypeIdx!] === true);
}

function pathMatches(reader: Reader, path: string, types: readonly TokenType[]): boolean {
  for (let i = 0; i < path.length; i++) if (!matches(reader.LA(i + 1), types[tokenIndex(path, i)]!)) return false;
  return true;
}

/** chevrotain's buildAlternativesLookAheadFunc: the first alternative (its gate open) a path of which matches. */
export function alternationFunction({ alts, types }: StoredDecision, hasPredicates: boolean): AltFunction {
  if (!hasPredicates && alts.every((alt) => alt.every((p) => p.length === 1))) {
    // one token decides: a table from token type to alternative, the first alternative winning
    const choice: Record<number, number> = {};
    alts.forEach((alt, idx) => {
      for (const p of alt) {
        const t = types[tokenIndex(p, 0)]!;
        choice[t.tokenTypeIdx!] ??= idx;
        for (const sub of t.categoryMatches ?? []) choice[sub] ??= idx;
      }
    });
    return function (this: Reader) { return choice[this.LA(1).tokenTypeIdx!]; };
  }
  return function (this: Reader, orAlts?: IOrAlt<unknown>[]) {
    for (let t = 0; t < alts.length; t++) {
      const gate = hasPredicates ? orAlts?.[t]?.GATE : undefined;
      if (gate !== undefined && gate.call(this) === false) continue;
      for (const path of alts[t]!) if (pathMatches(this, path, types)) return t;
    }
    return undefined;
  };
}

/** chevrotain's buildSingleAlternativeLookaheadFunction: whether a path into the optional part matches. */
export function optionalFunction(paths: readonly string[], types: readonly TokenType[]): () => boolean {
  if (paths.every((p) => p.length === 1)) {
    const starts = new Set<number>();
    for (const p of paths) {
      const t = types[tokenIndex(p, 0)]!;
      starts.add(t.tokenTypeIdx!);
      for (const sub of t.categoryMatches ?? []) starts.add(sub);
    }
    return function (this: Reader) { return starts.has(this.LA(1).tokenTypeIdx!); };
  }
  return function (this: Reader) {
    for (const path of paths) if (pathMatches(this, path, types)) return true;
    return false;
  };
}

/**
 * The lookahead strategy the parser is made with: each decision's function built the first time the
 * parser reaches it (a script uses a small part of the grammar), from the stored paths when they are
 * current, else by chevrotain's LL(k) strategy. It also lists every decision, for the generator.
 */
export class CachedLookahead implements ILookaheadStrategy {
  private readonly inner: ILookaheadStrategy;
  private rules: readonly Rule[] = [];
  private stored: { byKey: Readonly<Record<string, string>>; tokens: readonly TokenType[] } | null | undefined;
  private readonly seen: { key: string; rule: Rule; prodType: string; occurrence: number }[] = [];

  constructor(private readonly tokens: readonly TokenType[], private readonly maxLookahead: number, private readonly useStored = true) {
    this.inner = new LLkLookaheadStrategy({ maxLookahead });
  }

  validate(options: Parameters<ILookaheadStrategy['validate']>[0]): ReturnType<ILookaheadStrategy['validate']> {
    return this.inner.validate(options);
  }

  initialize(options: { rules: Rule[] }): void {
    this.rules = options.rules;
    this.inner.initialize?.(options);
  }

  buildLookaheadForAlternation(options: AlternationOptions): AltFunction {
    const key = this.note(options.rule, 'Alternation', options.prodOccurrence);
    const self = this;
    let f: AltFunction | undefined;
    return function (this: Reader, orAlts) {
      if (f === undefined) {
        const paths = self.storedPaths(key);
        f = paths ? alternationFunction(paths, options.hasPredicates) : self.inner.buildLookaheadForAlternation(options);
      }
      return (f as AltFunction).call(this, orAlts);
    };
  }

  buildLookaheadForOptional(options: OptionalOptions): () => boolean {
    const key = this.note(options.rule, String(options.prodType), options.prodOccurrence);
    const self = this;
    let f: (() => boolean) | undefined;
    return function (this: Reader) {
      if (f === undefined) {
        const paths = self.storedPaths(key);
        f = paths ? optionalFunction(paths.alts[0] ?? [], paths.types) : self.inner.buildLookaheadForOptional(options);
      }
      return (f as () => boolean).call(this);
    };
  }

  /**
   * Every decision of the grammar (as the parser was made), or those of `only`, with chevrotain's
   * paths for it: what the generator stores.
   */
  computeAllPaths(only?: ReadonlySet<string>): StoredPaths {
    const names = new Map<TokenType, number>();
    const tokens: string[] = [];
    const index = (t: TokenType): number => {
      let i = names.get(t);
      if (i === undefined) { i = tokens.length; names.set(t, i); tokens.push(t.name); }
      return i;
    };
    const decisions: Record<string, EncodedPaths> = {};
    for (const d of this.seen) {
      if (only !== undefined && !only.has(d.key)) continue;
      const paths = getLookaheadPaths({ occurrence: d.occurrence, rule: d.rule, prodType: d.prodType as never, maxLookahead: this.maxLookahead }) as Paths;
      // an optional's decision reads only the paths into it (chevrotain's lookAheadPaths[0])
      const kept = d.prodType === 'Alternation' ? paths : paths.slice(0, 1);
      decisions[d.key] = kept.map((alt) => alt.map((p) => p.map(index)));
    }
    return { fingerprint: grammarFingerprint(this.rules, this.tokens, this.maxLookahead), tokens, decisions };
  }

  /** Whether the stored paths are those of this grammar. */
  storedIsCurrent(): boolean {
    return this.load() !== null;
  }

  private note(rule: Rule, prodType: string, occurrence: number): string {
    const key = decisionKey(rule, prodType, occurrence);
    this.seen.push({ key, rule, prodType, occurrence });
    return key;
  }

  private storedPaths(key: string): StoredDecision | undefined {
    const stored = this.load();
    const encoded = stored?.byKey[key];
    // split here, when the parser first reaches the decision: most decisions a script never reaches
    return encoded === undefined ? undefined : { alts: splitDecision(encoded), types: stored!.tokens };
  }

  private load(): { byKey: Readonly<Record<string, string>>; tokens: readonly TokenType[] } | null {
    if (this.stored !== undefined) return this.stored;
    this.stored = null;
    const data = STORED_LOOKAHEAD;
    if (!this.useStored || data.fingerprint === '') return null;
    if (data.fingerprint !== grammarFingerprint(this.rules, this.tokens, this.maxLookahead)) return null;
    const byName = new Map<string, TokenType>([[EOF.name, EOF], ...this.tokens.map((t) => [t.name, t] as const)]);
    const tokens = data.tokens.map((n) => byName.get(n));
    if (tokens.some((t) => t === undefined)) return null;
    this.stored = { byKey: data.decisions, tokens: tokens as TokenType[] };
    return this.stored;
  }
}
