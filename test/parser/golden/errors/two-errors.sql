CREATE TABLE t (
  a BIGINT,
  b VARCHAR
) WITH ('connector' = 'memory');

SELECT a b c FROM t;

INSERT INTO s SELECT a FROM t;

SELECT (a + FROM t;
