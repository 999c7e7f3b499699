CREATE TABLE t (
  payload BYTES
) WITH ('connector' = 'memory');
