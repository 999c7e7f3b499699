/**
 * The abstract syntax tree of Weir's SQL dialect (Flink SQL as the Nexmark benchmark writes it).
 *
 * Every node is a readonly tagged union member with a `kind` and the `span` of the text it came from,
 * so that the binder can report a mistake at its exact line and column. The parser builds these from
 * chevrotain's CST; nothing outside src/parser knows chevrotain exists.
 *
 * Identifiers: `Ident.value` is the name as the user wrote it; `quoted` says whether it was in
 * backticks (quoted names keep their case; unquoted ones are compared case-insensitively).
 */
import type { SourceSpan } from '../common/errors.js';
import type { SqlType } from '../common/types.js';

export interface Ident {
  readonly value: string;
  readonly quoted: boolean;
  readonly span: SourceSpan;
}

/** `a`, `db.a`, `catalog.db.a`: the last part is the object's name. */
export type QualifiedName = readonly Ident[];

// ─── Statements ────────────────────────────────────────────────────────────────────────────────

export type Statement =
  | CreateTableStmt
  | CreateViewStmt
  | CreateFunctionStmt
  | InsertStmt
  | QueryStmt
  | SetStmt
  | ExplainStmt
  | DropStmt;

export type StatementKind = Statement['kind'];

export interface Script {
  readonly statements: readonly Statement[];
}

export type TableElement =
  | { readonly kind: 'physicalColumn'; readonly name: Ident; readonly type: SqlType; readonly notNull: boolean; readonly span: SourceSpan }
  | { readonly kind: 'computedColumn'; readonly name: Ident; readonly expr: Expr; readonly span: SourceSpan }
  /** `WATERMARK FOR column AS expr` */
  | { readonly kind: 'watermark'; readonly column: Ident; readonly expr: Expr; readonly span: SourceSpan }
  /** `PRIMARY KEY (a, b) NOT ENFORCED` */
  | { readonly kind: 'primaryKey'; readonly columns: readonly Ident[]; readonly span: SourceSpan };

export interface TableOption {
  readonly key: string;
  readonly value: string;
  readonly span: SourceSpan;
}

export interface CreateTableStmt {
  readonly kind: 'createTable';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly elements: readonly TableElement[];
  readonly partitionedBy: readonly Ident[];
  readonly options: readonly TableOption[];
  readonly span: SourceSpan;
}

export interface CreateViewStmt {
  readonly kind: 'createView';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly span: SourceSpan;
}

/** `CREATE [TEMPORARY] [SYSTEM] FUNCTION name AS 'module/path.js' [LANGUAGE JAVASCRIPT]` */
export interface CreateFunctionStmt {
  readonly kind: 'createFunction';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly path: string;
  /** where the path string stands, for errors about what it names */
  readonly pathSpan: SourceSpan;
  readonly language: string | undefined;
  readonly span: SourceSpan;
}

export interface InsertStmt {
  readonly kind: 'insert';
  readonly target: QualifiedName;
  readonly overwrite: boolean;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly span: SourceSpan;
}

export interface QueryStmt {
  readonly kind: 'query';
  readonly query: Query;
  readonly span: SourceSpan;
}

/** `SET 'key' = 'value'` (also `SET key = value`); `SET` alone has key undefined. */
export interface SetStmt {
  readonly kind: 'set';
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly span: SourceSpan;
}

export interface ExplainStmt {
  readonly kind: 'explain';
  readonly statement: Statement;
  readonly span: SourceSpan;
}

export interface DropStmt {
  readonly kind: 'drop';
  readonly objectKind: 'table' | 'view' | 'function';
  readonly name: QualifiedName;
  readonly ifExists: boolean;
  readonly temporary: boolean;
  readonly span: SourceSpan;
}

// ─── Queries ───────────────────────────────────────────────────────────────────────────────────

export type Query = SelectQuery | SetOperation;

export interface OrderItem {
  readonly expr: Expr;
  readonly descending: boolean;
  /** undefined: the default (NULLS FIRST for ASC, NULLS LAST for DESC, as Flink) */
  readonly nullsFirst: boolean | undefined;
  readonly span: SourceSpan;
}

export interface CommonTableExpr {
  readonly name: Ident;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly span: SourceSpan;
}

interface QueryTail {
  /** `WITH name AS (...)` attached to this query. */
  readonly with: readonly CommonTableExpr[];
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | undefined;
  readonly offset: Expr | undefined;
}

export interface SelectQuery extends QueryTail {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: FromItem | undefined;
  readonly where: Expr | undefined;
  readonly groupBy: readonly Expr[];
  /** with GROUPING SETS, ROLLUP or CUBE in GROUP BY (cst-grouping.ts); `groupBy` then lists every expression they mention */
  readonly groupingSets?: GroupingSets;
  readonly having: Expr | undefined;
  /** `WINDOW w AS (...), ...`: named OVER windows */
  readonly windows?: readonly { readonly name: Ident; readonly spec: OverSpec }[];
  readonly span: SourceSpan;
}

/**
 * GROUP BY's grouping sets: the cross product of its elements, each set a list of expressions (a
 * plain expression is in every set; ROLLUP (a, b) is (a, b), (a), (); CUBE every subset).
 */
export interface GroupingSets {
  readonly sets: readonly (readonly Expr[])[];
  readonly span: SourceSpan;
}

export interface SetOperation extends QueryTail {
  readonly kind: 'setOperation';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
  readonly span: SourceSpan;
}

export type SelectItem =
  /** `*` or `t.*` */
  | { readonly kind: 'star'; readonly qualifier: QualifiedName | undefined; readonly span: SourceSpan }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias: Ident | undefined; readonly span: SourceSpan };

export type FromItem = TableRef | SubqueryRef | TableFunctionRef | JoinRef | LateralTableRef | UnnestRef;

/**
 * `UNNEST(t.tags) [WITH ORDINALITY] [AS] u [(tag [, n])]`: one row per element of an ARRAY or
 * MULTISET (key and value columns for a MAP), joined to the row to its left that holds it.
 */
export interface UnnestRef {
  readonly kind: 'unnest';
  /** the collections to unnest (one; several, zipped as Flink does, are refused by the binder) */
  readonly exprs: readonly Expr[];
  readonly withOrdinality: boolean;
  readonly alias: Ident | undefined;
  readonly columnAliases: readonly Ident[];
  readonly span: SourceSpan;
}

/** `LATERAL TABLE(split(t.s)) [AS] T [(word, n)]`: a user-defined table function over each row to its left */
export interface LateralTableRef {
  readonly kind: 'lateralTable';
  /** the call (a CallExpr when it is well formed; the binder checks) */
  readonly call: Expr;
  readonly alias: Ident | undefined;
  readonly columnAliases: readonly Ident[];
  readonly span: SourceSpan;
}

export interface TableRef {
  readonly kind: 'table';
  readonly name: QualifiedName;
  readonly alias: Ident | undefined;
  /** `FOR SYSTEM_TIME AS OF expr` (lookup join) */
  readonly forSystemTime: Expr | undefined;
  readonly span: SourceSpan;
}

export interface SubqueryRef {
  readonly kind: 'subquery';
  readonly query: Query;
  readonly alias: Ident | undefined;
  readonly columnAliases: readonly Ident[];
  readonly span: SourceSpan;
}

/** `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) [AS] alias` */
export interface TableFunctionRef {
  readonly kind: 'tableFunction';
  readonly name: Ident;
  readonly args: readonly TableFunctionArg[];
  readonly alias: Ident | undefined;
  readonly span: SourceSpan;
}

export type TableFunctionArg =
  /** `TABLE t [PARTITION BY k, ...]` or `(subquery)`; `name` is set for `DATA => TABLE t` */
  | {
      readonly kind: 'tableArg';
      readonly name: Ident | undefined;
      readonly table: QualifiedName | undefined;
      readonly query: Query | undefined;
      readonly partitionBy: readonly Expr[];
      readonly span: SourceSpan;
    }
  | { readonly kind: 'descriptorArg'; readonly name: Ident | undefined; readonly columns: readonly Ident[]; readonly span: SourceSpan }
  | { readonly kind: 'exprArg'; readonly name: Ident | undefined; readonly expr: Expr; readonly span: SourceSpan };

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';

export interface JoinRef {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on: Expr | undefined;
  readonly using: readonly Ident[];
  readonly span: SourceSpan;
}

// ─── Expressions ───────────────────────────────────────────────────────────────────────────────

export type Expr =
  | LiteralExpr
  | IntervalExpr
  | TypedLiteralExpr
  | ColumnExpr
  | BinaryExpr
  | UnaryExpr
  | IsExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | ScalarSubqueryExpr
  | LikeExpr
  | CaseExpr
  | CastExpr
  | CallExpr
  | ExtractExpr
  | FieldAccessExpr;

export type ExprKind = Expr['kind'];

/**
 * A number, string, boolean or NULL. Numbers keep their text: `12` is an INT (BIGINT if it does not
 * fit), `1.5` a DECIMAL(2,1), `1.5e3` a DOUBLE, as in Flink.
 */
export interface LiteralExpr {
  readonly kind: 'literal';
  readonly literalType: 'number' | 'string' | 'boolean' | 'null';
  readonly value: string | boolean | null;
  readonly span: SourceSpan;
}

export type IntervalUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND';

/** `INTERVAL '4' SECOND`, `INTERVAL '1:30' MINUTE TO SECOND`, `INTERVAL '10' SECONDS` */
export interface IntervalExpr {
  readonly kind: 'interval';
  /** the quoted text, or the number, as written; may carry a sign */
  readonly value: string;
  readonly unit: IntervalUnit;
  readonly toUnit: IntervalUnit | undefined;
  readonly span: SourceSpan;
}

/** `TIMESTAMP '2020-01-01 00:00:00'`, `DATE '2020-01-01'` */
export interface TypedLiteralExpr {
  readonly kind: 'typedLiteral';
  readonly type: SqlType;
  readonly value: string;
  readonly span: SourceSpan;
}

/** `a`, `t.a`, `bid.price`, `t.bid.price`: the binder decides which parts are a table and which fields. */
export interface ColumnExpr {
  readonly kind: 'column';
  readonly path: readonly Ident[];
  readonly span: SourceSpan;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '||'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR'
  | 'IS DISTINCT FROM' | 'IS NOT DISTINCT FROM';

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: SourceSpan;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: '-' | '+' | 'NOT';
  readonly operand: Expr;
  readonly span: SourceSpan;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN` */
export interface IsExpr {
  readonly kind: 'is';
  readonly operand: Expr;
  readonly test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
  readonly negated: boolean;
  readonly span: SourceSpan;
}

export interface BetweenExpr {
  readonly kind: 'between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  readonly symmetric: boolean;
  readonly span: SourceSpan;
}

export interface InListExpr {
  readonly kind: 'inList';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
  readonly span: SourceSpan;
}

export interface InSubqueryExpr {
  readonly kind: 'inSubquery';
  readonly operand: Expr;
  readonly query: Query;
  readonly negated: boolean;
  readonly span: SourceSpan;
}

export interface ExistsExpr {
  readonly kind: 'exists';
  readonly query: Query;
  readonly negated: boolean;
  readonly span: SourceSpan;
}

export interface ScalarSubqueryExpr {
  readonly kind: 'scalarSubquery';
  readonly query: Query;
  readonly span: SourceSpan;
}

export interface LikeExpr {
  readonly kind: 'like';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape: Expr | undefined;
  readonly negated: boolean;
  /** SIMILAR TO (regular-expression-like) rather than LIKE */
  readonly similar: boolean;
  readonly span: SourceSpan;
}

export interface CaseExpr {
  readonly kind: 'case';
  /** `CASE x WHEN 1 THEN ...` (simple form) or undefined (searched form) */
  readonly operand: Expr | undefined;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else: Expr | undefined;
  readonly span: SourceSpan;
}

export interface CastExpr {
  readonly kind: 'cast';
  readonly operand: Expr;
  readonly type: SqlType;
  /** TRY_CAST: null instead of an error */
  readonly try: boolean;
  readonly span: SourceSpan;
}

export interface WindowFrameBound {
  readonly kind: 'unboundedPreceding' | 'preceding' | 'currentRow' | 'following' | 'unboundedFollowing';
  readonly offset: Expr | undefined;
  /** where the bound is written (absent for the implied CURRENT ROW end) */
  readonly span?: SourceSpan;
}

export interface OverSpec {
  /** `OVER w`: the window `w` of the SELECT's WINDOW clause (the other fields are empty then) */
  readonly name?: Ident;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame:
    | { readonly unit: 'ROWS' | 'RANGE'; readonly start: WindowFrameBound; readonly end: WindowFrameBound }
    | undefined;
  readonly span: SourceSpan;
}

/**
 * A function call: scalar (`UPPER(x)`), aggregate (`COUNT(DISTINCT x) FILTER (WHERE p)`), window
 * (`ROW_NUMBER() OVER (...)`) or group-window (`TUMBLE(ts, INTERVAL ...)`, `TUMBLE_START(...)`).
 * Special syntaxes are normalised to plain calls: `TRIM(BOTH 'x' FROM s)` → TRIM('BOTH', 'x', s),
 * `SUBSTRING(s FROM 2 FOR 3)` → SUBSTRING(s, 2, 3), `POSITION(a IN b)` → POSITION(a, b),
 * `CURRENT_TIMESTAMP` → CURRENT_TIMESTAMP() with no arguments.
 */
export interface CallExpr {
  readonly kind: 'call';
  readonly name: Ident;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `COUNT(*)` */
  readonly star: boolean;
  readonly filter: Expr | undefined;
  readonly over: OverSpec | undefined;
  readonly span: SourceSpan;
}

export type TimeUnit =
  | 'MILLENNIUM' | 'CENTURY' | 'DECADE' | 'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY'
  | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND' | 'MICROSECOND' | 'DOW' | 'DOY' | 'EPOCH';

/** `EXTRACT(HOUR FROM ts)` */
export interface ExtractExpr {
  readonly kind: 'extract';
  readonly unit: TimeUnit;
  readonly operand: Expr;
  readonly span: SourceSpan;
}

/** `(expr).field`, for fields of a ROW value that is not a plain column path. */
export interface FieldAccessExpr {
  readonly kind: 'fieldAccess';
  readonly operand: Expr;
  readonly field: Ident;
  readonly span: SourceSpan;
}
