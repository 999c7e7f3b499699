CREATE TABLE l (k INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
CREATE TABLE r (k INT NOT NULL, b INT NOT NULL, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
-- IN: a semi join on the compared values; over append-only inputs it stays append-only
SELECT k, a FROM l WHERE a IN (SELECT b FROM r WHERE k > 2);
-- NOT IN over a nullable value: a NULL matches (three-valued logic), so no hash key
SELECT k, a FROM l WHERE a NOT IN (SELECT b FROM r);
-- NOT IN over NOT NULL values: a plain anti join on the key
SELECT k, a FROM l WHERE a IS NOT NULL AND k NOT IN (SELECT k FROM r);
-- correlated EXISTS: the correlation is the join key, the rest of the WHERE a residual or a filter of the subquery
SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.b > l.a AND r.b < 10);
-- NOT EXISTS: an anti join, retracting (update mode)
SELECT k, a FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.k = l.k);
-- equal windows of two window TVFs: a window anti join, append-only
SELECT k, a FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '2' SECOND)) L
WHERE NOT EXISTS (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '2' SECOND)) R
  WHERE R.k = L.k AND R.window_start = L.window_start AND R.window_end = L.window_end);
-- an uncorrelated scalar subquery: a left join with its checked single row
SELECT k, a FROM l WHERE a > (SELECT AVG(b) FROM r);
-- COUNT over no rows is 0: a flag column tells "no row yet" from a row
SELECT k, a, (SELECT COUNT(*) FROM r) AS n FROM l;
-- set operations: aggregations over the (tagged) union
SELECT k FROM l UNION SELECT k FROM r;
SELECT k FROM l INTERSECT SELECT k FROM r;
SELECT k FROM l EXCEPT SELECT k FROM r;
-- ALL: each row repeated by unnesting a multiset of as many copies as the bag keeps
SELECT k FROM l INTERSECT ALL SELECT k FROM r;
SELECT k FROM l EXCEPT ALL SELECT k FROM r;
-- NOT IN over an updating subquery: null-aware (an aggregate's value may be NULL)
SELECT k, a FROM l WHERE a NOT IN (SELECT MAX(b) FROM r GROUP BY k);
