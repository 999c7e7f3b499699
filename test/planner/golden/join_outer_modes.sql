CREATE TABLE l (k INT, a VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
CREATE TABLE r (k INT, b VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
-- a regular left join retracts its NULL-padded rows: update mode by default
SELECT l.a, r.b FROM l LEFT JOIN r ON l.k = r.k AND r.b <> 'x' WHERE l.a IS NOT NULL;
-- USING: the merged key first in *
SELECT * FROM l FULL OUTER JOIN r USING (k);
-- an interval left join stays append-only: unmatched rows are emitted when they expire
SELECT l.a, r.b FROM l LEFT JOIN r ON l.k = r.k AND r.ts BETWEEN l.ts - INTERVAL '5' SECOND AND l.ts + INTERVAL '5' SECOND;
SET 'output-mode' = 'append';
SELECT l.a, r.b FROM l RIGHT JOIN r ON l.k = r.k;
