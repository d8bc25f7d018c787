-- q17: auction statistics per day.
-- Nexmark's own text, FILTER clauses included; DuckDB runs the same text.
CREATE MATERIALIZED VIEW q17 AS
SELECT auction, substr(CAST(date_time AS text), 1, 10) AS day,
       count(*) AS total_bids,
       count(*) FILTER (WHERE price < 10000) AS rank1_bids,
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
       count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
       min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid
GROUP BY auction, substr(CAST(date_time AS text), 1, 10);
-- totals: SELECT count(*), sum(total_bids + rank1_bids + rank2_bids + rank3_bids + min_price + max_price + sum_price), sum(avg_price) FROM q17
-- duckdb: the same text
-- SELECT auction, substr(CAST(date_time AS text), 1, 10) AS day,
--        count(*) AS total_bids,
--        count(*) FILTER (WHERE price < 10000) AS rank1_bids,
--        count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
--        count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
--        min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
-- FROM bid
-- GROUP BY auction, substr(CAST(date_time AS text), 1, 10)
