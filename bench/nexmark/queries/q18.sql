-- q18: find last bid. The latest bid of each bidder on each auction.
CREATE MATERIALIZED VIEW q18 AS
SELECT auction, bidder, price, channel, url, date_time, extra
FROM (
  SELECT *, row_number() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC) AS rank_number
  FROM bid
) b
WHERE rank_number <= 1;
-- totals: SELECT count(*), sum(auction), sum(bidder) FROM q18
