-- include: _nexmark.sql
SELECT * FROM (
  SELECT *, RANK() OVER (PARTITION BY auction ORDER BY price DESC) AS rk FROM bid
) WHERE rk <= 3;
