-- include: _nexmark.sql
SELECT auction,
       bidder,
       prise
FROM bid;
