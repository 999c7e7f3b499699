CREATE TABLE orders (
  id BIGINT,
  tags ARRAY<STRING>,
  attrs MAP<STRING, INT>,
  lines ARRAY<ROW<product STRING, qty INT>>,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'memory');

SELECT id, tag, pos, tags[1] AS first_tag, attrs['color'] AS color, ARRAY[id, pos] AS pair
FROM orders CROSS JOIN UNNEST(tags) WITH ORDINALITY AS t (tag, pos)
WHERE CARDINALITY(tags) > 1;

SELECT o.id, l.product, l.qty FROM orders AS o LEFT JOIN UNNEST(o.lines) AS l ON TRUE;

SELECT id, k, v FROM orders, UNNEST(attrs) AS m (k, v);

SELECT tags, COUNT(*) AS c, COLLECT(id) AS ids FROM orders GROUP BY tags;
