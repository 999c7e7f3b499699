CREATE TABLE t (
  tags ARRAY<STRING>
) WITH ('connector' = 'memory');
