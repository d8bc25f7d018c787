-- q2: selection. Bids on a sample of auctions.
CREATE MATERIALIZED VIEW q2 AS
SELECT auction, price FROM bid WHERE auction % 123 = 0;
-- totals: SELECT count(*), sum(auction), sum(price) FROM q2
