-- include: _nexmark.sql
-- A condition on the partition key goes below the Top-N (a whole partition stays or goes);
-- one on another column stays above it; the row number is pruned when nothing reads it.
SELECT auction, bidder, price FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, `dateTime`) AS rn FROM bid
) WHERE rn <= 3 AND MOD(auction, 2) = 0 AND bidder > 1000;

SET 'output-mode' = 'complete';
SELECT * FROM (
  SELECT auction, price, ROW_NUMBER() OVER (ORDER BY price DESC) AS rn FROM bid
) WHERE 5 >= rn;
