// The second batch reference of bench/run-sql.sh: DuckDB (in memory, threads=1 so that the figure is
// per core, as Sluice's single engine worker is) reads the same event file with its JSON reader and
// materializes each benchmark view as a table. Prints a JSON object shaped like bench/sql_sqlite.py's.
//
// Usage: node bench/sql_duckdb.js NODE_MODULES_DIR EVENTS_FILE [VIEWS]
// NODE_MODULES_DIR holds @duckdb/node-api (npm install @duckdb/node-api; its native library comes
// from the npm registry as @duckdb/node-bindings-linux-x64).
'use strict';
const path = require('path');

const QUERIES = {
  filter: 'SELECT id, amount * 2 AS doubled, customer_id FROM orders WHERE amount > 50',
  tumble: "SELECT time_bucket(INTERVAL '1 minute', ts) AS window_start, count(*) AS n, sum(amount) AS revenue " +
    'FROM orders GROUP BY window_start',
  per_customer: 'SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id',
};
// Only the windows the final watermark (max event time - 5 s) has closed count for the tumbling view.
const TOTALS = {
  filter: 'SELECT count(*), sum(doubled), sum(customer_id) FROM v_filter',
  tumble: 'SELECT count(*), sum(n), sum(revenue) FROM v_tumble ' +
    "WHERE window_start + INTERVAL '1 minute' <= (SELECT max(ts) FROM orders) - INTERVAL '5 seconds'",
  per_customer: 'SELECT count(*), sum(n), sum(total) FROM v_per_customer',
};

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

async function main() {
  const [modulesDir, eventsFile, views = 'filter,tumble,per_customer'] = process.argv.slice(2);
  const { DuckDBInstance } = require(path.join(path.resolve(modulesDir), '@duckdb/node-api'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const db = await instance.connect();
  const version = (await db.runAndReadAll('SELECT version()')).getRows()[0][0];
  const out = { system: 'duckdb', version, threads: 1 };
  const file = eventsFile.replaceAll("'", "''");
  [, out.load_and_decode_json_s] = await timed(() => db.run(
    `CREATE TABLE orders AS SELECT * FROM read_json('${file}', format = 'newline_delimited', ` +
    "columns = {id: 'BIGINT', customer_id: 'BIGINT', amount: 'DOUBLE', ts: 'TIMESTAMP'}, " +
    "timestampformat = '%Y-%m-%d %H:%M:%S.%f')"));
  out.events = Number((await db.runAndReadAll('SELECT count(*) FROM orders')).getRows()[0][0]);
  out.views = {};
  for (const name of views.split(',')) {
    const [, seconds] = await timed(() => db.run(`CREATE TABLE v_${name} AS ${QUERIES[name]}`));
    const totals = (await db.runAndReadAll(TOTALS[name])).getRows()[0].map(Number);
    out.views[name] = { query_s: seconds, totals };
    process.stderr.write(`   duckdb ${name}: ${seconds.toFixed(2)} s, totals ${totals.join(' ')}\n`);
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((err) => {
  process.stderr.write(`duckdb: ${err.stack || err}\n`);
  process.exit(1);
});
