SELECT auction, COUNT(bidder
FROM bid
GROUP BY auction;
