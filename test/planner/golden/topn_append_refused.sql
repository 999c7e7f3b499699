-- include: _nexmark.sql
SET 'output-mode' = 'append';
SELECT * FROM (
  SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid
) WHERE rn <= 3;
