CREATE TABLE orders (id BIGINT, tags ARRAY<STRING>) WITH ('connector' = 'memory');

SELECT id, x FROM orders CROSS JOIN UNNEST(id) AS u (x);
