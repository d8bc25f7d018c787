-- q5: hot items. Per 10-second window sliding every 2 seconds, the auctions with the most bids.
CREATE MATERIALIZED VIEW q5 AS
SELECT c.auction, c.num, c.window_start, c.window_end
FROM (
  SELECT auction, window_start, window_end, count(*) AS num
  FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
  GROUP BY auction, window_start, window_end
) c JOIN (
  SELECT window_start, window_end, max(num) AS maxn
  FROM (
    SELECT auction, window_start, window_end, count(*) AS num
    FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
    GROUP BY auction, window_start, window_end
  ) x
  GROUP BY window_start, window_end
) m ON c.window_start = m.window_start AND c.window_end = m.window_end AND c.num >= m.maxn;
-- totals: SELECT count(*), sum(auction), sum(num) FROM q5
-- duckdb:
-- WITH hop AS (
--   SELECT auction, make_timestamp((epoch_ms(date_time) // 2000 - k) * 2000000) AS window_start FROM bid CROSS JOIN range(0, 5) t(k)
-- ), c AS (
--   SELECT auction, window_start, window_start + INTERVAL 10 SECOND AS window_end, count(*) AS num FROM hop
--   GROUP BY auction, window_start
--   HAVING window_start + INTERVAL 10 SECOND <= (SELECT max(date_time) FROM bid) - INTERVAL 4 SECOND
-- ), m AS (SELECT window_start, window_end, max(num) AS maxn FROM c GROUP BY window_start, window_end)
-- SELECT c.auction, c.num, c.window_start, c.window_end FROM c JOIN m
--   ON c.window_start = m.window_start AND c.window_end = m.window_end AND c.num >= m.maxn
