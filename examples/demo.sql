-- The demo: a continuous query over the built-in Nexmark generator.
--
-- 300 000 events (6 000 persons, 18 000 auctions, 276 000 bids) generated at 15 000 events per
-- second of event time, paced to the wall clock, so the run takes about 20 seconds. Every second a
-- micro-batch updates the running statistics per auction category. On a terminal the print sink
-- shows them as a table under the column names, redrawn in place with the changed rows marked
-- (+U), above one progress line; in a pipe, one line a changed row (-U old, +U new, with names).
-- A summary of the run ends it.

SET 'pipeline.name' = 'nexmark-demo';
SET 'trigger' = '1 second';

CREATE TABLE datagen (
    event_type int,
    person ROW<
        id  BIGINT,
        name  VARCHAR,
        emailAddress  VARCHAR,
        creditCard  VARCHAR,
        city  VARCHAR,
        state  VARCHAR,
        dateTime TIMESTAMP(3),
        extra  VARCHAR>,
    auction ROW<
        id  BIGINT,
        itemName  VARCHAR,
        description  VARCHAR,
        initialBid  BIGINT,
        reserve  BIGINT,
        dateTime  TIMESTAMP(3),
        expires  TIMESTAMP(3),
        seller  BIGINT,
        category  BIGINT,
        extra  VARCHAR>,
    bid ROW<
        auction  BIGINT,
        bidder  BIGINT,
        price  BIGINT,
        channel  VARCHAR,
        url  VARCHAR,
        dateTime  TIMESTAMP(3),
        extra  VARCHAR>,
    dateTime AS
        CASE
            WHEN event_type = 0 THEN person.dateTime
            WHEN event_type = 1 THEN auction.dateTime
            ELSE bid.dateTime
        END,
    WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '15000',
    'next-event.rate' = '15000',
    'events.num' = '300000',
    'source.pace' = 'true'
);

CREATE VIEW auction AS
SELECT
    auction.id,
    auction.itemName,
    auction.description,
    auction.initialBid,
    auction.reserve,
    dateTime,
    auction.expires,
    auction.seller,
    auction.category,
    auction.extra
FROM datagen
WHERE event_type = 1;

-- Running statistics per category: how many auctions opened, their average and highest reserve,
-- and how many of them asked more than 10 000 to start.
SELECT
    category,
    COUNT(*) AS auctions,
    CAST(AVG(reserve) AS BIGINT) AS avg_reserve,
    MAX(reserve) AS max_reserve,
    COUNT(*) FILTER (WHERE initialBid > 10000) AS pricey
FROM auction
GROUP BY category;
