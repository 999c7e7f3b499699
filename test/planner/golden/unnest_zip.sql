CREATE TABLE orders (
  id BIGINT,
  tags ARRAY<STRING>,
  qtys ARRAY<INT>,
  attrs MAP<STRING, INT>,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'memory');

SELECT id, tag, qty, pos FROM orders CROSS JOIN UNNEST(tags, qtys) WITH ORDINALITY AS u (tag, qty, pos);

SELECT id, tag, k, v FROM orders LEFT JOIN UNNEST(tags, attrs) AS u (tag, k, v) ON TRUE;
