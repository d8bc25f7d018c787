-- q22: get URL directories. Nexmark's SPLIT_INDEX(url, '/', 3..5) is split_part(url, '/', 4..6).
CREATE MATERIALIZED VIEW q22 AS
SELECT auction, bidder, price, channel,
       split_part(url, '/', 4) AS dir1, split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3
FROM bid;
-- totals: SELECT count(*), sum(price), sum(length(dir1) + length(dir2) + length(dir3)) FROM q22
