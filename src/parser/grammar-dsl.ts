/**
 * The small surface through which the grammar files define rules on the one parser instance.
 *
 * Chevrotain's DSL methods are protected members of CstParser; the grammar is split over several
 * files (statements, queries, expressions), so the parser hands each file this object instead.
 * Every method takes the occurrence index explicitly (chevrotain needs a distinct index for each
 * use of the same token or rule inside one rule) and an optional LABEL, which names the CST child
 * list: consuming several tokens under one label keeps their order (e.g. the operators of `a + b - c`).
 */
import type { CstNode, IOrAlt, IToken, TokenType } from 'chevrotain';

export type RuleName =
  // statements
  | 'statementChunk' | 'statement' | 'createStatement' | 'createTable' | 'tableElement' | 'columnConstraint'
  | 'tableOption' | 'createView' | 'createFunction' | 'insertStatement' | 'setStatement' | 'setWord'
  | 'explainStatement' | 'dropStatement'
  // queries
  | 'query' | 'withClause' | 'commonTableExpr' | 'setExpression' | 'intersectExpression' | 'queryPrimary'
  | 'select' | 'selectItem' | 'qualifiedStar' | 'alias' | 'fromClause' | 'joinedTable' | 'joinClause'
  | 'tablePrimary' | 'tableFunctionCall' | 'tableFunctionArg' | 'orderItem' | 'identList'
  | 'groupingElement' | 'groupingSet' | 'jsonClause'
  // expressions
  | 'expression' | 'predicate' | 'predicateSuffix' | 'additive' | 'postfix' | 'literal'
  | 'intervalLiteral' | 'typedLiteral' | 'caseExpression' | 'castExpression' | 'extractExpression'
  | 'trimExpression' | 'substringExpression' | 'positionExpression' | 'floorCeilExpression'
  | 'existsExpression' | 'functionCall' | 'overClause' | 'windowDef' | 'frameBound' | 'columnRef' | 'qualifiedName'
  | 'identifier' | 'dataType' | 'rowField'
  // collections (grammar-collections.ts)
  | 'collectionConstructor' | 'rowConstructor' | 'unnestTable';

export interface Dsl {
  rule(name: RuleName, impl: () => void): void;
  consume(tok: TokenType, idx?: number, label?: string): IToken;
  sub(name: RuleName, idx?: number, label?: string): CstNode;
  /** `maxLookahead`: fewer tokens than the parser's for this decision (a gate decides; deep lookahead over expressions is slow to build) */
  option(def: () => void, idx?: number, gate?: () => boolean, maxLookahead?: number): void;
  or(alts: IOrAlt<unknown>[], idx?: number): void;
  many(def: () => void, idx?: number, gate?: () => boolean): void;
  atLeastOne(def: () => void, idx?: number): void;
  /** The i-th token ahead (1 = next), for gates. */
  la(i: number): IToken;
}
