-- q8: monitor new users. People who opened an account and created an auction in the same
-- 10-second tumbling window.
CREATE MATERIALIZED VIEW q8 AS
SELECT p.id, p.name, p.window_start AS starttime
FROM (
  SELECT id, name, window_start, window_end FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
  GROUP BY id, name, window_start, window_end
) p JOIN (
  SELECT seller, window_start, window_end FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
  GROUP BY seller, window_start, window_end
) a ON p.id = a.seller AND p.window_start = a.window_start AND p.window_end = a.window_end;
-- totals: SELECT count(*), sum(id), count(DISTINCT id) FROM q8
-- duckdb:
-- WITH p AS (SELECT DISTINCT id, name, make_timestamp(epoch_ms(date_time) // 10000 * 10000000) AS ws FROM person),
--      a AS (SELECT DISTINCT seller, make_timestamp(epoch_ms(date_time) // 10000 * 10000000) AS ws FROM auction)
-- SELECT p.id, p.name, p.ws AS starttime FROM p JOIN a ON p.id = a.seller AND p.ws = a.ws
-- WHERE p.ws + INTERVAL 10 SECOND <= least((SELECT max(date_time) FROM person), (SELECT max(date_time) FROM auction)) - INTERVAL 4 SECOND
