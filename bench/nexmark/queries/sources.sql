-- The Nexmark streams as three sources, one topic each (person, auction, bid), fields in snake_case.
-- date_time (and expires) arrive as epoch milliseconds. Events are generated in date_time order;
-- the 4-second watermark delay is the one Nexmark's SQL suite declares.
CREATE SOURCE person (id bigint, name text, email_address text, credit_card text, city text, state text,
  date_time timestamp, extra text, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (topic = 'person', format = 'json');
CREATE SOURCE auction (id bigint, item_name text, description text, initial_bid bigint, reserve bigint,
  date_time timestamp, expires timestamp, seller bigint, category bigint, extra text,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (topic = 'auction', format = 'json');
CREATE SOURCE bid (auction bigint, bidder bigint, price bigint, channel text, url text, date_time timestamp,
  extra text, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (topic = 'bid', format = 'json');
