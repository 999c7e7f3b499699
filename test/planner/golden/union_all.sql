CREATE TABLE a (id INT, v DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
CREATE TABLE b (id BIGINT, v INT) WITH ('connector' = 'memory');
-- Inputs are cast to common types; the filter is pushed into both inputs.
SELECT * FROM (
  SELECT id, v FROM a
  UNION ALL
  SELECT id, v FROM b
) WHERE id > 10;
