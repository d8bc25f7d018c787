-- q15: bidding statistics per day, with distinct bidders and auctions per price rank.
-- Nexmark's own text, FILTER clauses included; DuckDB runs the same text.
CREATE MATERIALIZED VIEW q15 AS
SELECT substr(CAST(date_time AS text), 1, 10) AS day,
       count(*) AS total_bids,
       count(*) FILTER (WHERE price < 10000) AS rank1_bids,
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
       count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
       count(DISTINCT bidder) AS total_bidders,
       count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
       count(DISTINCT auction) AS total_auctions,
       count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
FROM bid
GROUP BY substr(CAST(date_time AS text), 1, 10);
-- totals: SELECT count(*), sum(total_bids + rank1_bids + rank2_bids + rank3_bids), sum(total_bidders + rank1_bidders + rank2_bidders + rank3_bidders + total_auctions + rank1_auctions + rank2_auctions + rank3_auctions) FROM q15
-- duckdb: the same text
-- SELECT substr(CAST(date_time AS text), 1, 10) AS day,
--        count(*) AS total_bids,
--        count(*) FILTER (WHERE price < 10000) AS rank1_bids,
--        count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
--        count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
--        count(DISTINCT bidder) AS total_bidders,
--        count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
--        count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
--        count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
--        count(DISTINCT auction) AS total_auctions,
--        count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
--        count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
--        count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
-- FROM bid
-- GROUP BY substr(CAST(date_time AS text), 1, 10)
