-- q17: auction statistics per day.
-- Written without FILTER: Nexmark's `count(*) FILTER (WHERE c)` is `sum(CASE WHEN c THEN 1 ELSE 0 END)`
-- and `count(DISTINCT x) FILTER (WHERE c)` is `count(DISTINCT CASE WHEN c THEN x END)`, because a
-- materialized view ignores an aggregate's FILTER today (its counts would include every row; a pull
-- query applies it). The same answer either way.
CREATE MATERIALIZED VIEW q17 AS
SELECT auction, substr(CAST(date_time AS text), 1, 10) AS day,
       count(*) AS total_bids,
       sum(CASE WHEN price < 10000 THEN 1 ELSE 0 END) AS rank1_bids,
       sum(CASE WHEN price >= 10000 AND price < 1000000 THEN 1 ELSE 0 END) AS rank2_bids,
       sum(CASE WHEN price >= 1000000 THEN 1 ELSE 0 END) AS rank3_bids,
       min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid
GROUP BY auction, substr(CAST(date_time AS text), 1, 10);
-- totals: SELECT count(*), sum(total_bids + rank1_bids + rank2_bids + rank3_bids + min_price + max_price + sum_price), sum(avg_price) FROM q17
-- duckdb: Nexmark's own text, with FILTER
-- SELECT auction, substr(CAST(date_time AS text), 1, 10) AS day,
--        count(*) AS total_bids,
--        count(*) FILTER (WHERE price < 10000) AS rank1_bids,
--        count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
--        count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
--        min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
-- FROM bid
-- GROUP BY auction, substr(CAST(date_time AS text), 1, 10)
