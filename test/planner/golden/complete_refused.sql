-- include: _nexmark.sql
SET 'output-mode' = 'complete';
SELECT auction, price FROM bid;
