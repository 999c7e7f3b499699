-- include: _nexmark.sql
-- Bids per auction in 10-second tumbling windows (window TVF): append mode by default.
SELECT window_start, window_end, auction, count(*) AS bids, max(price) AS top
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
WHERE price > 100
GROUP BY window_start, window_end, auction;
