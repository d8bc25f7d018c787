-- Views over views: created when the engine accepts them; skipped (0A000) while it does not.

-- Revenue per hour, rolled up from the per-minute windows.
CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_per_hour AS
  SELECT date_trunc('hour', window_start) AS hour, sum(orders) AS orders, sum(revenue) AS revenue
  FROM revenue_per_minute
  GROUP BY 1;

-- Every card the velocity rule flagged, with its worst half minute.
CREATE MATERIALIZED VIEW IF NOT EXISTS flagged_cards AS
  SELECT card_id, count(*) AS windows, max(payments) AS most_payments
  FROM card_velocity
  GROUP BY card_id;

-- Products to reorder.
CREATE MATERIALIZED VIEW IF NOT EXISTS low_stock AS
  SELECT product_id, name, on_hand FROM inventory_levels WHERE on_hand < 60;
