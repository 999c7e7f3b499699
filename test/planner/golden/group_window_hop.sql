-- include: _nexmark.sql
-- Legacy group window: HOP in GROUP BY with HOP_START / HOP_END, and HAVING.
SELECT
  auction,
  HOP_START(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND) AS starts,
  HOP_END(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND) AS ends,
  count(*) AS num
FROM bid
GROUP BY auction, HOP(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
HAVING count(*) > 1;
