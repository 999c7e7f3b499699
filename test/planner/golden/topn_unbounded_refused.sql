-- include: _nexmark.sql
-- ROW_NUMBER with no filter on it: Weir runs ROW_NUMBER only as a Top-N.
SELECT auction, price, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid
) WHERE price > 100;
