SELECT auction
FROM
WHERE price > 10;
