-- q0: pass-through. Every bid, as it is.
CREATE MATERIALIZED VIEW q0 AS
SELECT auction, bidder, price, date_time, extra FROM bid;
-- totals: SELECT count(*), sum(auction), sum(price) FROM q0
