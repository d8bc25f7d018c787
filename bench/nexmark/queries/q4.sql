-- q4: average closing price per category: the highest bid of each auction made while it was open,
-- averaged per category.
CREATE MATERIALIZED VIEW q4 AS
SELECT q.category, avg(q.final) AS avg_final
FROM (
  SELECT a.id, a.category, max(b.price) AS final
  FROM auction a JOIN bid b ON a.id = b.auction
  WHERE b.date_time BETWEEN a.date_time AND a.expires
  GROUP BY a.id, a.category
) q
GROUP BY q.category;
-- totals: SELECT count(*), sum(category), sum(avg_final) FROM q4
