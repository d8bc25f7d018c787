-- q10: log to a file system, partitioned by day and minute. The query part only: each bid with its
-- day and HH:MM (Nexmark's DATE_FORMAT, here substrings of the timestamp's text).
CREATE MATERIALIZED VIEW q10 AS
SELECT auction, bidder, price, date_time, extra,
       substr(CAST(date_time AS text), 1, 10) AS dt, substr(CAST(date_time AS text), 12, 5) AS hm
FROM bid;
-- totals: SELECT count(*), sum(price), count(DISTINCT dt || hm) FROM q10
