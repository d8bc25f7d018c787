-- q7: highest bid. The bids with the highest price of each 10-second tumbling window.
CREATE MATERIALIZED VIEW q7 AS
SELECT b.auction, b.price, b.bidder, b.date_time, b.extra
FROM bid b JOIN (
  SELECT window_start, window_end, max(price) AS maxprice
  FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
  GROUP BY window_start, window_end
) m ON b.price = m.maxprice
WHERE b.date_time BETWEEN m.window_end - INTERVAL '10' SECOND AND m.window_end;
-- totals: SELECT count(*), sum(auction), sum(price) FROM q7
-- duckdb:
-- WITH m AS (
--   SELECT make_timestamp(epoch_ms(date_time) // 10000 * 10000000) AS window_start, max(price) AS maxprice FROM bid
--   GROUP BY 1 HAVING window_start + INTERVAL 10 SECOND <= (SELECT max(date_time) FROM bid) - INTERVAL 4 SECOND
-- )
-- SELECT b.auction, b.price, b.bidder, b.date_time, b.extra FROM bid b JOIN m ON b.price = m.maxprice
-- WHERE b.date_time BETWEEN m.window_start AND m.window_start + INTERVAL 10 SECOND
