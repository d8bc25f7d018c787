-- q19: auction top-N. The 10 highest bids of each auction.
CREATE MATERIALIZED VIEW q19 AS
SELECT auction, bidder, price, date_time, rank_number
FROM (
  SELECT auction, bidder, price, date_time,
         row_number() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number
  FROM bid
) b
WHERE rank_number <= 10;
-- totals: SELECT count(*), sum(auction), sum(price) FROM q19
