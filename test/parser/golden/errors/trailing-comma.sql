SELECT auction,
       price,
FROM bid;
