-- include: _nexmark.sql
-- The join of Nexmark q4 (a comma join whose WHERE holds the key and a time range): an interval join.
SELECT A.id, A.category, B.price
FROM auction A, bid B
WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires;
