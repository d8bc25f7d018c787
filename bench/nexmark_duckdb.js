// The batch reference of bench/run-nexmark.sh: DuckDB (in memory, threads=1) reads the same
// person/auction/bid JSON files the topics were filled from, materializes each Nexmark query as a
// table and computes its `-- totals:` figures, which bench/nexmark_report.py compares with Sluice's.
//
// Usage: node bench/nexmark_duckdb.js NODE_MODULES_DIR EVENTS_DIR QUERIES_JSON
// QUERIES_JSON is `bench/nexmark_queries.py json` output. Prints {"system", "version", "load_s",
// "queries": {qN: {"query_s", "totals"}}}.
'use strict';
const fs = require('fs');
const path = require('path');

const COLUMNS = {
  person: "{id: 'BIGINT', name: 'VARCHAR', email_address: 'VARCHAR', credit_card: 'VARCHAR', city: 'VARCHAR', " +
    "state: 'VARCHAR', date_time: 'BIGINT', extra: 'VARCHAR'}",
  auction: "{id: 'BIGINT', item_name: 'VARCHAR', description: 'VARCHAR', initial_bid: 'BIGINT', reserve: 'BIGINT', " +
    "date_time: 'BIGINT', expires: 'BIGINT', seller: 'BIGINT', category: 'BIGINT', extra: 'VARCHAR'}",
  bid: "{auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR', url: 'VARCHAR', " +
    "date_time: 'BIGINT', extra: 'VARCHAR'}",
};
// Epoch milliseconds become timestamps, as Sluice reads a JSON number in a timestamp column.
const TIMES = { person: ['date_time'], auction: ['date_time', 'expires'], bid: ['date_time'] };

// BIGINT and HUGEINT come back as bigint, DECIMAL as an object whose text is the exact value.
function number(v) {
  if (v === null || typeof v === 'number') return v;
  return typeof v === 'bigint' ? Number(v) : Number(v.toString());
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

async function main() {
  const [modulesDir, eventsDir, queriesFile] = process.argv.slice(2);
  const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8'));
  const { DuckDBInstance } = require(path.join(path.resolve(modulesDir), '@duckdb/node-api'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const db = await instance.connect();
  const version = (await db.runAndReadAll('SELECT version()')).getRows()[0][0];
  const out = { system: 'duckdb', version, threads: 1, queries: {} };
  [, out.load_s] = await timed(async () => {
    for (const [table, columns] of Object.entries(COLUMNS)) {
      const file = path.join(eventsDir, `${table}.json`).replaceAll("'", "''");
      const replace = TIMES[table].map((c) => `epoch_ms(${c}) AS ${c}`).join(', ');
      await db.run(`CREATE TABLE ${table} AS SELECT * REPLACE (${replace}) FROM read_json('${file}', ` +
        `format = 'newline_delimited', columns = ${columns})`);
    }
  });
  for (const [name, q] of Object.entries(queries)) {
    const [, seconds] = await timed(() => db.run(`CREATE TABLE ${name} AS ${q.duckdb}`));
    const totals = (await db.runAndReadAll(q.totals)).getRows()[0].map(number);
    out.queries[name] = { query_s: seconds, totals };
    process.stderr.write(`   duckdb ${name}: ${seconds.toFixed(2)} s, totals ${totals.join(' ')}\n`);
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((err) => {
  process.stderr.write(`duckdb: ${err.stack || err}\n`);
  process.exit(1);
});
