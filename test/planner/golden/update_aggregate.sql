-- include: _nexmark.sql
-- A non-windowed aggregate never finalizes: update mode, keyed by the group key.
SELECT channel, count(DISTINCT bidder) AS bidders, count(*) FILTER (WHERE price < 10000) AS cheap
FROM bid
GROUP BY channel;
