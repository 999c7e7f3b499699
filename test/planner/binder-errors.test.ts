/** Every binder error: its code, its position (line:column) in the SQL text and its message. */
import { describe, expect, it } from 'vitest';
import { catalogOf, errorOf, run } from './helpers.js';

const DDL = `CREATE TABLE t (a INT, b BIGINT, s VARCHAR, ts TIMESTAMP(3), r ROW<x INT, y VARCHAR>, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE u (a INT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');
CREATE TABLE sink (x BIGINT, y VARCHAR) WITH ('connector' = 'blackhole');
CREATE VIEW v AS SELECT a FROM t;`;

const check = (cases: readonly (readonly [string, string])[]) => {
  for (const [sql, expected] of cases) {
    it(sql, () => expect(errorOf(() => run(sql, catalogOf(DDL)))).toBe(expected));
  }
};

describe('binder errors: names', () => check([
  ['SELECT a FROM nope', "BIND 1:15 table 'nope' not found; available tables: t, u, sink"],
  ['SELECT aa FROM t', "BIND 1:8 column 'aa' not found; did you mean 'a'?"],
  ['SELECT zzzz FROM t', "BIND 1:8 column 'zzzz' not found; available columns: a, b, s, ts, r"],
  ['SELECT r.z FROM t', "BIND 1:10 field 'z' not found in ROW<x INT, y VARCHAR>; did you mean 'x'?"],
  ['SELECT a.x FROM t', "TYPE 1:10 cannot access field 'x' of a value of type INT: it is not a ROW"],
  ['SELECT t.q FROM t', "BIND 1:10 column 'q' not found in 't'; did you mean 'a'?"],
  ['SELECT nofn(a) FROM t', "BIND 1:8 function 'nofn' not found"],
  ['SELECT uper(s) FROM t', "BIND 1:8 function 'uper' not found; did you mean 'UPPER'?"],
  ['SELECT * FROM TABLE(FOO(TABLE t))', "BIND 1:21 table function 'FOO' not found; window functions are TUMBLE, HOP, CUMULATE and SESSION"],
]));

describe('binder errors: types', () => check([
  ['SELECT a FROM t WHERE a + 1', 'TYPE 1:23 WHERE clause must be a BOOLEAN expression, got INT'],
  ['SELECT upper(s, s) FROM t', 'TYPE 1:8 UPPER expects 1 argument, got 2'],
  ['SELECT LISTAGG(s, 3) FROM t', "TYPE 1:19 LISTAGG's separator must be a string literal, such as LISTAGG(name, '; ')"],
  ['SELECT LISTAGG(s, s) FROM t', "TYPE 1:19 LISTAGG's separator must be a string literal, such as LISTAGG(name, '; ')"],
  ["SELECT LISTAGG(s, ';', 'x') FROM t", 'TYPE 1:8 LISTAGG expects 1 or 2 arguments, got 3'],
  ['SELECT a FROM t WHERE SUM(a) OVER (PARTITION BY s ORDER BY ts) > 1',
    'BIND 1:23 SUM(...) OVER (...) can only be used in a SELECT list: select it in a subquery and filter or group outside it'],
  ['SELECT LAG(a) OVER (PARTITION BY s ORDER BY ts) FROM t',
    'UNSUPPORTED 1:8 LAG() OVER (...) is not supported yet; OVER runs the aggregate functions (COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, LISTAGG, …) over ROWS or RANGE frames in a SELECT list, and ROW_NUMBER, RANK or DENSE_RANK as a Top-N'],
  ["SELECT a + 'x' FROM t", "TYPE 1:8 operator '+' cannot apply to INT, VARCHAR: expected numbers"],
  ['SELECT CAST(r AS INT) FROM t', 'TYPE 1:8 cannot cast ROW<x INT, y VARCHAR> to INT'],
  ["SELECT CASE WHEN a = 1 THEN 'x' ELSE 2 END FROM t", 'TYPE 1:8 CASE branches have no common type: VARCHAR, INT'],
  ['SELECT CASE WHEN a THEN 1 END FROM t', 'TYPE 1:18 a CASE WHEN condition must be a BOOLEAN expression, got INT'],
  ["SELECT TIMESTAMP '2020-13-01 00:00:00' FROM t", "TYPE 1:8 invalid TIMESTAMP literal '2020-13-01 00:00:00': expected 'YYYY-MM-DD HH:MM:SS[.fff]'"],
  ['SELECT s FROM t UNION ALL SELECT ts FROM u', "TYPE 1:1 UNION ALL column 1 ('s') has no common type: VARCHAR, TIMESTAMP(3)"],
  ['SELECT a FROM t UNION ALL SELECT a, ts FROM u', 'TYPE 1:27 each UNION ALL input must have the same number of columns: the first has 1, input 2 has 2'],
]));

describe('binder errors: aggregates', () => check([
  ['SELECT a FROM t WHERE count(*) > 1', 'BIND 1:23 aggregate function COUNT is not allowed in WHERE'],
  ['SELECT a, count(*) FROM t', "BIND 1:8 expression 'a' must appear in GROUP BY or be used in an aggregate function"],
  ['SELECT b, count(*) FROM t GROUP BY a', "BIND 1:8 expression 'b' must appear in GROUP BY or be used in an aggregate function"],
  ['SELECT r.y, count(*) FROM t GROUP BY a', "BIND 1:8 expression 'r.y' must appear in GROUP BY or be used in an aggregate function"],
  ["SELECT a FROM t HAVING s = 'x'", "BIND 1:8 expression 'a' must appear in GROUP BY or be used in an aggregate function"],
  ['SELECT sum(count(a)) FROM t', 'BIND 1:12 aggregate function calls cannot be nested: COUNT inside an aggregate'],
  ['SELECT upper(DISTINCT s) FROM t', 'BIND 1:8 DISTINCT is only allowed in aggregate functions, not in UPPER'],
]));

describe('binder errors: windows', () => check([
  ["SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(a), INTERVAL '1' SECOND))", "TYPE 1:48 the time attribute 'a' of TUMBLE must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), got INT"],
  ["SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '0' SECOND))", 'TYPE 1:53 the SIZE of TUMBLE must be a positive INTERVAL, got 0 ms'],
  ['SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), 5))', 'TYPE 1:53 the SIZE of TUMBLE must be an INTERVAL, got INT'],
  ["SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '3' SECOND, INTERVAL '10' SECOND))", "PLAN 1:15 HOP window size INTERVAL '10' SECOND must be an integral multiple of the slide INTERVAL '3' SECOND"],
  ['SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts)))', 'BIND 1:15 TUMBLE is missing its SIZE argument'],
  ["SELECT TUMBLE_START(ts, INTERVAL '1' SECOND) FROM t GROUP BY a", 'BIND 1:8 TUMBLE_START requires GROUP BY TUMBLE(...)'],
  ["SELECT HOP_START(ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)", 'BIND 1:8 HOP_START must have the same arguments as the group window TUMBLE(...) in GROUP BY'],
  ["SELECT a FROM t GROUP BY TUMBLE(a, INTERVAL '1' SECOND)", "TYPE 1:33 the time attribute 'a' of TUMBLE must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), got INT"],
  ["SELECT TUMBLE(ts, INTERVAL '1' SECOND) FROM t", 'BIND 1:8 TUMBLE(...) is only allowed as a group window in GROUP BY; in FROM use TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))'],
]));

describe('binder errors: not supported yet', () => check([
  ['SELECT a FROM t ORDER BY a', 'UNSUPPORTED 1:26 ORDER BY without LIMIT is only supported on a stream for one event-time attribute ascending (rows released in time order as the watermark passes); otherwise the sorted result would never be final: add LIMIT n (a Top-N that updates as rows arrive), or rank rows per key with ROW_NUMBER() OVER (PARTITION BY … ORDER BY …)'],
  ['SELECT a FROM t OFFSET 3', 'UNSUPPORTED 1:24 OFFSET needs a LIMIT on a stream: the rows after the offset never end'],
  ['SELECT a FROM t ORDER BY a + 1 LIMIT 3', 'UNSUPPORTED 1:26 ORDER BY an expression is not supported yet: select it with an alias and ORDER BY the alias'],
  ['SELECT a FROM t ORDER BY b LIMIT 3', "BIND 1:26 ORDER BY 'b' is not a column of the result: expected one of a"],
  ['SELECT a FROM t ORDER BY 2 LIMIT 3', 'BIND 1:26 ORDER BY position 2 is not in the select list (1 to 1)'],
  ['SELECT a FROM t LIMIT 0', 'BIND 1:23 LIMIT takes a whole number of at least 1, such as LIMIT 10'],
  ['SELECT a FROM t WHERE a IN (SELECT a FROM u) OR a > 1', 'UNSUPPORTED 1:23 IN (subquery) is not supported yet here: only as a WHERE condition, alone or joined by AND'],
  ['SELECT a FROM t WHERE NOT (a > 1 AND NOT EXISTS (SELECT a FROM u))', 'UNSUPPORTED 1:38 NOT EXISTS (subquery) is not supported yet here: only as a WHERE condition, alone or joined by AND'],
  ['SELECT EXISTS (SELECT a FROM u) FROM t', 'UNSUPPORTED 1:8 EXISTS (subquery) is not supported yet here: only as a WHERE condition, alone or joined by AND'],
  ['SELECT a IN (SELECT a FROM u) FROM t', 'UNSUPPORTED 1:8 IN (subquery) is not supported yet here: only as a WHERE condition, alone or joined by AND'],
  ['SELECT (SELECT MAX(u.a) FROM u WHERE u.ts = t.ts) FROM t', 'UNSUPPORTED 1:8 a correlated scalar subquery (one that reads the outer query\'s columns) is not supported yet'],
  ['SELECT a FROM t WHERE a IN (SELECT MAX(u.a) FROM u WHERE u.ts = t.ts)', 'UNSUPPORTED 1:23 a correlated IN subquery (one that reads the outer query\'s columns) is not supported yet'],
  ['SELECT a FROM t WHERE EXISTS (SELECT COUNT(*) FROM u WHERE u.ts = t.ts)', 'UNSUPPORTED 1:23 a correlated EXISTS subquery (one that reads the outer query\'s columns) is not supported yet'],
  ['SELECT COUNT(*) + (SELECT MAX(a) FROM u) FROM t', 'UNSUPPORTED 1:19 a scalar subquery is not supported yet in SELECT: only in WHERE and in the SELECT list of a query without GROUP BY'],
  ['SELECT a FROM t GROUP BY a HAVING COUNT(*) > (SELECT MAX(a) FROM u)', 'UNSUPPORTED 1:46 a scalar subquery is not supported yet in HAVING: only in WHERE and in the SELECT list of a query without GROUP BY'],
  ['SELECT a FROM t WHERE a IN (SELECT a, ts FROM u)', 'TYPE 1:29 the subquery of IN must return one column, this one returns 2'],
  ['SELECT a FROM t WHERE a = (SELECT a, ts FROM u)', 'TYPE 1:27 a scalar subquery must return one column, this one returns 2'],
  ['SELECT a FROM t UNION SELECT a, b FROM t', 'TYPE 1:23 each UNION input must have the same number of columns: the first has 1, input 2 has 2'],
  ["SELECT INTERVAL '1' MONTH FROM t", 'UNSUPPORTED 1:8 INTERVAL ... MONTH is not supported yet: months and years have no fixed length; use DAY, HOUR, MINUTE or SECOND'],
  ['SELECT * FROM u FOR SYSTEM_TIME AS OF u.ts', 'BIND 1:39 FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN (a lookup join: probe JOIN t FOR SYSTEM_TIME AS OF probe.p_time AS s ON …)'],
  ['SELECT 1', 'UNSUPPORTED 1:1 SELECT without FROM is not supported yet'],
]));

const TOP_N = 'ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS rn as an item of a SELECT list without GROUP BY, in a subquery filtered with rn <= N (Top-N and deduplication)';
const SHAPE = (rn: string): string => `SELECT * FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS ${rn} FROM ...) WHERE ${rn} <= N`;

describe('binder errors: OVER windows and Top-N', () => check([
  ['SELECT row_number() OVER (ORDER BY ts) FROM t',
    `UNSUPPORTED 1:8 ROW_NUMBER() OVER (...) is only supported as a Top-N: filter the subquery that selects it with rn <= N (or rn < N, rn = 1, rn BETWEEN 1 AND N) in the WHERE of the query directly around it: ${SHAPE('rn')}`],
  ['SELECT * FROM (SELECT a, ROW_NUMBER() OVER (PARTITION BY s ORDER BY ts) AS n FROM t) WHERE n >= 2',
    `UNSUPPORTED 1:26 ROW_NUMBER() OVER (...) is only supported as a Top-N: filter the subquery that selects it with n <= N (or n < N, n = 1, n BETWEEN 1 AND N) in the WHERE of the query directly around it: ${SHAPE('n')}`],
  ['SELECT * FROM (SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS n FROM t) WHERE n <= 3 OR a = 1',
    `UNSUPPORTED 1:26 ROW_NUMBER() OVER (...) is only supported as a Top-N: filter the subquery that selects it with n <= N (or n < N, n = 1, n BETWEEN 1 AND N) in the WHERE of the query directly around it: ${SHAPE('n')}`],
  ['SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS n FROM t WHERE n <= 3',
    `BIND 1:61 column 'n' is defined in this SELECT's list (ROW_NUMBER() OVER (...) AS n), and a WHERE cannot see the aliases of its own SELECT: wrap the SELECT in a subquery and filter it in the enclosing query: ${SHAPE('n')}`],
  ['SELECT a + 1 AS x FROM t WHERE x > 3',
    "BIND 1:32 column 'x' is defined in this SELECT's list (an alias), and a WHERE cannot see the aliases of its own SELECT: repeat the expression, or wrap the SELECT in a subquery and filter it in the enclosing query"],
  ['SELECT * FROM (SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS n FROM t) WHERE n <= 0',
    'PLAN 1:77 the conditions on n keep no row: a row number is 1 or more, and these allow none'],
  ['SELECT * FROM (SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS n FROM t) WHERE n BETWEEN 3 AND 2',
    'PLAN 1:77 the conditions on n keep no row: a row number is 1 or more, and these allow none'],
  ['SELECT ROW_NUMBER() OVER (ORDER BY ts) + 1 FROM t', `UNSUPPORTED 1:8 ROW_NUMBER() OVER (...) is only supported as ${TOP_N}`],
  ['SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS n, count(*) FROM t GROUP BY a', `UNSUPPORTED 1:11 ROW_NUMBER() OVER (...) is only supported as ${TOP_N}`],
  ['SELECT ROW_NUMBER(a) OVER (ORDER BY ts) FROM t', 'BIND 1:8 ROW_NUMBER() takes no arguments'],
  ['SELECT ROW_NUMBER() OVER (PARTITION BY a) FROM t', 'BIND 1:26 ROW_NUMBER() OVER (...) needs an ORDER BY: the order decides which rows are the top N'],
  ['SELECT ROW_NUMBER() OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t',
    'UNSUPPORTED 1:26 ROW_NUMBER() OVER (...) takes no window frame (ROWS ...): it numbers the whole partition'],
  ['SELECT ROW_NUMBER() OVER (ORDER BY r) FROM t', 'TYPE 1:36 cannot ORDER BY a value of type ROW<x INT, y VARCHAR>'],
  ['SELECT ROW_NUMBER() OVER (PARTITION BY r ORDER BY a) FROM t', 'TYPE 1:40 cannot PARTITION BY a value of type ROW<x INT, y VARCHAR>'],
  ['SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS n, ROW_NUMBER() OVER (ORDER BY a) AS m FROM t',
    'UNSUPPORTED 1:49 only one ROW_NUMBER(), RANK() or DENSE_RANK() OVER (...) per SELECT is supported'],
  ['SELECT ROW_NUMBER() OVER (ORDER BY count(*)) FROM t', 'BIND 1:36 aggregate function COUNT is not allowed in the ORDER BY of OVER'],
  // RANK and DENSE_RANK run as Top-N like ROW_NUMBER: unbounded, they are refused the same way
  ['SELECT RANK() OVER (ORDER BY ts) FROM t',
    `UNSUPPORTED 1:8 RANK() OVER (...) is only supported as a Top-N: filter the subquery that selects it with rn <= N (or rn < N, rn = 1, rn BETWEEN 1 AND N) in the WHERE of the query directly around it: ${SHAPE('rn')}`],
  ['SELECT DENSE_RANK() OVER (ORDER BY ts) FROM t',
    `UNSUPPORTED 1:8 DENSE_RANK() OVER (...) is only supported as a Top-N: filter the subquery that selects it with rn <= N (or rn < N, rn = 1, rn BETWEEN 1 AND N) in the WHERE of the query directly around it: ${SHAPE('rn')}`],
  ['SELECT AVG(a) OVER (PARTITION BY s ORDER BY ts ROWS BETWEEN 10 PRECEDING AND 1 FOLLOWING) FROM t',
    'UNSUPPORTED 1:78 OVER frames that end after the current row (n FOLLOWING) are not supported yet: end the frame at CURRENT ROW'],
  ['SELECT AVG(a) OVER (PARTITION BY s ORDER BY ts DESC) FROM t',
    "UNSUPPORTED 1:45 OVER windows' ordering in stream mode must be defined on a time attribute ascending: DESC is not supported"],
]));

describe('binder errors: INSERT', () => check([
  ['INSERT INTO sink SELECT a FROM t', 'TYPE 1:18 INSERT INTO sink: the query has 1 column but 2 are expected (x, y)'],
  ['INSERT INTO sink SELECT s, a FROM t', "TYPE 1:25 cannot insert a value of type VARCHAR into column 'x' of type BIGINT; use an explicit CAST"],
  // store assignment is for numbers only: booleans, times and text into numbers stay errors
  ['INSERT INTO sink SELECT a > 1, s FROM t', "TYPE 1:25 cannot insert a value of type BOOLEAN into column 'x' of type BIGINT; use an explicit CAST"],
  ['INSERT INTO sink SELECT ts, s FROM t', "TYPE 1:25 cannot insert a value of type TIMESTAMP(3) into column 'x' of type BIGINT; use an explicit CAST"],
  ['INSERT INTO sink SELECT b, a FROM t', "TYPE 1:28 cannot insert a value of type INT into column 'y' of type VARCHAR; use an explicit CAST"],
  ['INSERT INTO nope SELECT a FROM t', "BIND 1:13 table 'nope' not found; available tables: t, u, sink"],
  ['INSERT INTO v SELECT a FROM t', "BIND 1:13 cannot INSERT INTO view 'v': only tables can be written"],
  ['INSERT INTO sink (x, q) SELECT a, s FROM t', "BIND 1:22 column 'q' not found in 'sink'; did you mean 'x'?"],
]));

describe('DDL errors', () => check([
  ["CREATE TABLE x (a INT, a BIGINT) WITH ('connector' = 'memory')", "BIND 1:24 duplicate column 'a' in table 'x'"],
  ["CREATE TABLE x (a INT, c AS nope + 1) WITH ('connector' = 'memory')", "BIND 1:29 column 'nope' not found; available columns: a"],
  ["CREATE TABLE x (a INT, c AS count(a)) WITH ('connector' = 'memory')", 'BIND 1:29 aggregate function COUNT is not allowed in a computed column'],
  ["CREATE TABLE x (a INT, WATERMARK FOR ts AS ts) WITH ('connector' = 'memory')", "BIND 1:38 column 'ts' not found; available columns: a"],
  ["CREATE TABLE x (a INT, WATERMARK FOR a AS a) WITH ('connector' = 'memory')", "TYPE 1:38 the WATERMARK column 'a' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), got INT"],
  ["CREATE TABLE x (ts TIMESTAMP(3), WATERMARK FOR ts AS 5) WITH ('connector' = 'memory')", 'TYPE 1:54 the WATERMARK expression must be a TIMESTAMP, got INT'],
  ["CREATE TABLE x (a INT, PRIMARY KEY (b) NOT ENFORCED) WITH ('connector' = 'memory')", "BIND 1:37 column 'b' not found; did you mean 'a'?"],
  ["CREATE TABLE x (a INT) WITH ('connector' = 'memory', 'Connector' = 'print')", "OPTION 1:54 option 'Connector' is given twice"],
  ["CREATE TABLE t (a INT) WITH ('connector' = 'memory')", "BIND 1:14 table 't' already exists"],
  ['CREATE VIEW w AS SELECT q FROM t', "BIND 1:25 column 'q' not found; did you mean 'a'?"],
  ['CREATE VIEW w (p, q) AS SELECT a FROM t', "BIND 1:16 'w' has 1 column but 2 column names are given"],
  ['DROP TABLE nope', "BIND 1:12 table 'nope' not found"],
  ['DROP TABLE v', "BIND 1:12 'v' is a view, not a table; use DROP VIEW"],
  ['DROP FUNCTION nope', "BIND 1:15 function 'nope' not found"],
]));

describe('errors on later lines', () => {
  it('reports the line and column of a mistake in a multi-line query', () => {
    const sql = 'SELECT\n  a,\n  upper(nosuch)\nFROM t';
    expect(errorOf(() => run(sql, catalogOf(DDL)))).toBe("BIND 3:9 column 'nosuch' not found; available columns: a, b, s, ts, r");
  });
  it('reports a mistake inside a view body at its position in the view text', () => {
    const c = catalogOf(DDL);
    expect(errorOf(() => run('CREATE VIEW w AS\nSELECT a\nFROM t\nWHERE s > 1', c))).toBe('TYPE 4:7 operator \'>\' cannot compare VARCHAR with INT');
  });
  it('refuses a WITH query that refers to itself', () => {
    const c = catalogOf(DDL);
    expect(errorOf(() => run('WITH q AS (SELECT a FROM q) SELECT a FROM q', c))).toBe("BIND 1:26 WITH query 'q' refers to itself: q -> q");
  });
});
