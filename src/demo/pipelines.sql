-- The demo shop's streaming SQL, run at startup; IF NOT EXISTS makes a restart skip what exists.
-- Statements end with a semicolon at the end of a line.

-- Reference data: the latest row per key.
CREATE TABLE IF NOT EXISTS products (id bigint, name text, category text, price double precision,
  PRIMARY KEY (id)) WITH (topic = 'products', format = 'json');
CREATE TABLE IF NOT EXISTS customers (id bigint, name text, email text, country text, segment text,
  usual_amount double precision, PRIMARY KEY (id)) WITH (topic = 'customers', format = 'json');

-- Event streams: each with its event time and a watermark five seconds behind it.
CREATE SOURCE IF NOT EXISTS page_views (session_id text, customer_id bigint, product_id bigint, page text,
  ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'page_views', format = 'json');
CREATE SOURCE IF NOT EXISTS orders (order_id bigint, customer_id bigint, product_id bigint, quantity bigint,
  amount double precision, ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (topic = 'orders', format = 'json');
CREATE SOURCE IF NOT EXISTS payments (payment_id bigint, order_id bigint, customer_id bigint, card_id text,
  amount double precision, ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (topic = 'payments', format = 'json');
CREATE SOURCE IF NOT EXISTS inventory (product_id bigint, warehouse text, delta bigint, reason text,
  ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'inventory', format = 'json');
CREATE SOURCE IF NOT EXISTS shipments (shipment_id bigint, order_id bigint, carrier text, warehouse text,
  ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'shipments', format = 'json');
CREATE SOURCE IF NOT EXISTS fraud_decisions (card_id text, decision text, reason text,
  ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'fraud_decisions', format = 'json');

-- Orders and revenue per minute, final once the watermark passes the minute's end.
CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_per_minute AS
  SELECT window_start, window_end, count(*) AS orders, round(sum(amount), 2) AS revenue,
         round(avg(amount), 2) AS average_order
  FROM TUMBLE(orders, ts, INTERVAL '1' MINUTE)
  GROUP BY window_start, window_end;

-- Stock on hand per product: a read model folded from every movement (sales, returns, restocks).
CREATE MATERIALIZED VIEW IF NOT EXISTS inventory_levels AS
  SELECT i.product_id, p.name, p.category, sum(i.delta) AS on_hand, count(*) AS movements
  FROM inventory i JOIN products p ON i.product_id = p.id
  GROUP BY i.product_id, p.name, p.category;

-- Fraud: a card paying six or more times within any 30 seconds (windows sliding every 5 s).
CREATE MATERIALIZED VIEW IF NOT EXISTS card_velocity AS
  SELECT card_id, window_start, window_end, count(*) AS payments, round(sum(amount), 2) AS amount,
         'velocity' AS reason
  FROM HOP(payments, ts, INTERVAL '5' SECOND, INTERVAL '30' SECOND)
  GROUP BY card_id, window_start, window_end
  HAVING count(*) >= 6;

-- Fraud: a payment more than ten times what its customer usually spends.
CREATE MATERIALIZED VIEW IF NOT EXISTS unusual_payments AS
  SELECT p.card_id, p.customer_id, p.payment_id, p.amount, c.usual_amount, p.ts, 'amount' AS reason
  FROM payments p JOIN customers c ON p.customer_id = c.id
  WHERE p.amount > 10 * c.usual_amount;

-- Both fraud signals go to one topic, where the fraud service decides on them.
CREATE SINK IF NOT EXISTS velocity_alerts FROM card_velocity WITH (topic = 'fraud_alerts', format = 'json');
CREATE SINK IF NOT EXISTS amount_alerts FROM unusual_payments WITH (topic = 'fraud_alerts', format = 'json');

-- Shipments that left more than two minutes after their order.
CREATE MATERIALIZED VIEW IF NOT EXISTS delayed_shipments AS
  SELECT o.order_id, o.customer_id, s.carrier, s.warehouse, o.ts AS ordered_at, s.ts AS shipped_at,
         s.ts - o.ts AS waited
  FROM orders o JOIN shipments s ON o.order_id = s.order_id
  WHERE s.ts - o.ts > INTERVAL '2' MINUTE;

-- Orders with no shipment yet: a row appears with the order and goes when its parcel leaves.
CREATE MATERIALIZED VIEW IF NOT EXISTS awaiting_shipment AS
  SELECT o.order_id, o.customer_id, o.amount, o.ts AS ordered_at
  FROM orders o LEFT JOIN shipments s ON o.order_id = s.order_id
  WHERE s.order_id IS NULL;

-- Product page views per minute: the latest window's top rows are the products trending now.
CREATE MATERIALIZED VIEW IF NOT EXISTS product_views_per_minute AS
  SELECT window_start, window_end, product_id, count(*) AS views
  FROM TUMBLE(page_views, ts, INTERVAL '1' MINUTE)
  GROUP BY window_start, window_end, product_id;

-- What the fraud service decided, read back from its topic.
CREATE MATERIALIZED VIEW IF NOT EXISTS card_decisions AS
  SELECT card_id, decision, reason, ts FROM fraud_decisions;
