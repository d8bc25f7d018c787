-- q3: local item suggestion. Sellers in OR, ID or CA of auctions in category 10 (a stream-stream
-- join: both sides are kept).
CREATE MATERIALIZED VIEW q3 AS
SELECT p.name, p.city, p.state, a.id
FROM auction a JOIN person p ON a.seller = p.id
WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA');
-- totals: SELECT count(*), sum(id), sum(length(name) + length(city)) FROM q3
