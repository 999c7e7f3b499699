/**
 * Refusals for Flink SQL grammar Weir does not run yet (issue 11 item 12): catalog and database
 * statements, USE/SHOW/DESCRIBE/ALTER, statement sets, CREATE TABLE … LIKE / AS SELECT,
 * MATCH_RECOGNIZE, NATURAL JOIN, a subquery as a window TVF's TABLE argument, FOR SYSTEM_TIME AS OF
 * on a subquery, LATERAL subqueries, and SQL hints.
 *
 * Without these a Flink user read "expected ';' but found '('" for MATCH_RECOGNIZE or "expected a
 * statement … but found 'SHOW'", which reads as a typo rather than a missing feature. Each is
 * reported "… is not supported yet" at the construct's own position instead.
 *
 * Like the collection refusals, the token checks run only once a statement failed to parse, so a
 * statement that parses is never affected, and they look only at tokens up to the parse error (with
 * the one exception noted below), so an earlier, unrelated mistake is still the one reported.
 */
import type { IToken } from 'chevrotain';
import { WeirError } from '../common/errors.js';
import { tokenSpan } from './spans.js';
import { LParen, RParen } from './tokens.js';

/** Statements Flink has and Weir does not run, keyed by their first word. */
const STATEMENT_KINDS: Readonly<Record<string, string>> = {
  USE: 'the USE statement',
  SHOW: 'the SHOW statement',
  DESCRIBE: 'the DESCRIBE statement',
  DESC: 'the DESC statement',
  ALTER: 'the ALTER statement',
  LOAD: 'LOAD MODULE',
  UNLOAD: 'UNLOAD MODULE',
  ANALYZE: 'ANALYZE TABLE',
  TRUNCATE: 'TRUNCATE TABLE',
  DELETE: 'DELETE',
  UPDATE: 'UPDATE',
  CALL: 'CALL',
  RESET: 'RESET',
  ADD: 'ADD JAR',
  REMOVE: 'REMOVE JAR',
  STOP: 'STOP JOB',
  VALUES: 'VALUES',
  REPLACE: 'REPLACE TABLE … AS SELECT',
  // `BEGIN STATEMENT SET; … END;` is split at its ';', so its END arrives as a statement of its own
  END: 'END (of a statement set)',
};

/** Flink's `EXPLAIN <detail>, … <statement>` details; Weir's EXPLAIN prints its own plan only. */
const EXPLAIN_DETAILS = new Set(['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE']);

/**
 * Words the parse fails on (the error token itself) that start a construct Weir does not run,
 * with what the refusal calls it; `next` is the word that must follow, when one must.
 */
const FAILING_WORDS: Readonly<Record<string, { readonly next?: string; readonly what: string }>> = {
  VALUES: { what: 'VALUES' },
  FETCH: { next: 'FIRST', what: 'FETCH FIRST … ROWS ONLY (use LIMIT)' },
  PARTITION: { what: 'INSERT … PARTITION (…)' },
  METADATA: { what: 'a METADATA column' },
  DISTRIBUTED: { what: 'DISTRIBUTED BY' },
  WITHIN: { next: 'GROUP', what: 'WITHIN GROUP (…)' },
  PLACING: { what: 'OVERLAY(… PLACING …)' },
  USING: { next: 'JAR', what: 'CREATE FUNCTION … USING JAR' },
};

/** Objects of CREATE/DROP that Flink has and Weir does not. */
const CATALOG_OBJECTS = new Set(['CATALOG', 'DATABASE', 'MODEL']);

function word(t: IToken | undefined): string | undefined {
  return t?.image.toUpperCase();
}

function refuse(what: string, at: IToken, file: string | undefined): WeirError {
  return new WeirError('UNSUPPORTED', `${what} is not supported yet`, tokenSpan(at), file);
}

/** A refusal decided by the statement's first words (after an optional EXPLAIN). */
function statementKindRefusal(tokens: readonly IToken[], file: string | undefined): WeirError | undefined {
  const first = tokens[0];
  const w = word(first);
  if (!first || w === undefined) return undefined;
  if ((w === 'EXECUTE' || w === 'BEGIN') && word(tokens[1]) === 'STATEMENT' && word(tokens[2]) === 'SET') {
    return refuse(`${w} STATEMENT SET`, first, file);
  }
  if (w === 'STATEMENT' && word(tokens[1]) === 'SET') return refuse('STATEMENT SET', first, file);
  if (EXPLAIN_DETAILS.has(w)) return refuse(`EXPLAIN ${w}`, first, file);
  const kind = STATEMENT_KINDS[w];
  if (kind) return refuse(kind, first, file);
  if (w === 'CREATE' || w === 'DROP') {
    // CREATE [TEMPORARY] CATALOG/DATABASE …, DROP CATALOG/DATABASE [IF EXISTS] …
    const objectAt = word(tokens[1]) === 'TEMPORARY' ? 2 : 1;
    const object = tokens[objectAt];
    if (object && CATALOG_OBJECTS.has(word(object)!)) return refuse(`${w} ${word(object)}`, object, file);
  }
  return undefined;
}

/** Index of the first top-level (outside parentheses) token with this word, from `start`. */
function topLevelWord(tokens: readonly IToken[], start: number, w: string): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType === LParen) depth++;
    else if (t.tokenType === RParen) depth--;
    else if (depth === 0 && word(t) === w) return i;
  }
  return -1;
}

/**
 * CREATE TABLE … LIKE and CREATE TABLE … AS SELECT. These look past the parse error: without a
 * column list the error falls on the WITH or AS before the LIKE, yet LIKE is what the user meant.
 */
function createTableRefusal(tokens: readonly IToken[], file: string | undefined): WeirError | undefined {
  let i = 0;
  if (word(tokens[i]) !== 'CREATE') return undefined;
  i++;
  if (word(tokens[i]) === 'TEMPORARY') i++;
  if (word(tokens[i]) !== 'TABLE') return undefined;
  const like = topLevelWord(tokens, i + 1, 'LIKE');
  const as = topLevelWord(tokens, i + 1, 'AS');
  if (as >= 0 && (like < 0 || as < like)) return refuse('CREATE TABLE … AS SELECT', tokens[as]!, file);
  if (like >= 0) return refuse('CREATE TABLE … LIKE', tokens[like]!, file);
  return undefined;
}

/** Query constructs, found at or before the token the parse failed on. */
function queryConstructRefusal(tokens: readonly IToken[], errorToken: IToken | undefined, file: string | undefined): WeirError | undefined {
  const limit = errorToken && !Number.isNaN(errorToken.startOffset) ? errorToken.startOffset : Number.POSITIVE_INFINITY;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startOffset > limit) break;
    const w = word(t);
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    // Read as a table alias, MATCH_RECOGNIZE otherwise fails on the '(' after it
    if (w === 'MATCH_RECOGNIZE' && next?.tokenType === LParen) return refuse('MATCH_RECOGNIZE', t, file);
    // Likewise NATURAL is read as an alias, and the JOIN then misses its ON
    if (w === 'NATURAL' && /^(JOIN|INNER|LEFT|RIGHT|FULL)$/.test(word(next) ?? '')) return refuse('NATURAL JOIN', t, file);
    // TUMBLE(TABLE (SELECT …), …): only a table name may follow TABLE in a table function argument
    if (w === 'TABLE' && next?.tokenType === LParen && next === errorToken && prev !== undefined
      && (prev.image === '(' || prev.image === ',' || prev.image === '=>')) {
      return refuse('a subquery as a table function\'s TABLE argument', t, file);
    }
    if (w === 'FOR' && word(next) === 'SYSTEM_TIME' && t === errorToken) {
      return refuse('FOR SYSTEM_TIME AS OF on a subquery', t, file);
    }
    if (w === 'LATERAL' && next?.tokenType === LParen) return refuse('a LATERAL subquery', t, file);
    // TABLESAMPLE is read as an alias; the sampling method after it then fails
    if (w === 'TABLESAMPLE' && /^(BERNOULLI|SYSTEM)$/.test(word(next) ?? '')) return refuse('TABLESAMPLE', t, file);
    // `= ANY (SELECT …)` is read as a call of a function ANY, which fails on the SELECT; ALL, a
    // keyword, fails itself
    if ((w === 'ALL' || w === 'ANY' || w === 'SOME') && next?.tokenType === LParen && word(tokens[i + 2]) === 'SELECT'
      && (tokens[i + 2] === errorToken || t === errorToken)) {
      return refuse('a quantified comparison (ANY/SOME/ALL with a subquery)', t, file);
    }
    // The parse fails on the word itself or just after it (WITHIN GROUP fails on its '(')
    const failing = t === errorToken || next === errorToken || tokens[i + 2] === errorToken ? FAILING_WORDS[w ?? ''] : undefined;
    if (failing && (failing.next === undefined || word(next) === failing.next)) return refuse(failing.what, t, file);
  }
  return undefined;
}

/** Words after which a '(' opens a parenthesized expression, not a call's or a clause's list. */
const EXPRESSION_OPENERS = new Set(['SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'ON', 'HAVING', 'WHEN', 'THEN', 'ELSE', '=', '<>', '!=', '<', '>', '<=', '>=', '(']);

/**
 * A row value `(a, b)` (as in `(a, b) IN ((1, 2))`) fails on its first ',' with "expected ')'":
 * refused at its '(' when that '(' opens an expression.
 */
function rowValueRefusal(tokens: readonly IToken[], errorToken: IToken | undefined, file: string | undefined): WeirError | undefined {
  if (errorToken?.image !== ',') return undefined;
  const at = tokens.indexOf(errorToken);
  // The ',' must follow a complete operand (`(a + , b)` is a plain syntax error)
  const operand = tokens[at - 1];
  if (!operand || !/^[\w'`")]/.test(operand.image) || EXPRESSION_OPENERS.has(word(operand)!)) return undefined;
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.tokenType === RParen) depth++;
    else if (t.tokenType === LParen && depth-- === 0) {
      const before = word(tokens[i - 1]);
      return before !== undefined && EXPRESSION_OPENERS.has(before) ? refuse("a row value '(a, b, …)'", t, file) : undefined;
    }
  }
  return undefined;
}

/** For a statement that failed to parse at `errorToken`: the refusal of the unsupported construct it holds, if any. */
export function statementRefusal(tokens: readonly IToken[], errorToken: IToken | undefined, file?: string): WeirError | undefined {
  const afterExplain = word(tokens[0]) === 'EXPLAIN' ? tokens.findIndex((t, i) => i > 0 && word(t) !== 'PLAN' && word(t) !== 'FOR') : 0;
  const body = afterExplain < 0 ? [] : tokens.slice(afterExplain);
  return statementKindRefusal(body, file)
    ?? createTableRefusal(body, file)
    ?? queryConstructRefusal(tokens, errorToken, file)
    ?? rowValueRefusal(tokens, errorToken, file);
}

/**
 * SQL hints (`/*+ OPTIONS(…) *\/`, join and STATE_TTL hints) are lexed as comments; ignoring them
 * would silently drop table options that change results, so a comment opening with `/*+` is refused.
 */
export function hintRefusal(comments: readonly IToken[], file?: string): WeirError | undefined {
  const hint = comments.find((c) => c.image.startsWith('/*+'));
  if (!hint) return undefined;
  return new WeirError('UNSUPPORTED', "SQL hints ('/*+ … */') are not supported yet", { ...tokenSpan(hint), length: 3 }, file);
}
