// Runs queries through node-postgres, which sends every query with parameters over the extended
// protocol (Parse/Bind/Describe/Execute/Sync), and named ones as prepared statements reused by name.
// argv: host port; stdin: JSON [{text, values, name?}]; stdout: JSON [{rows, types} | {error, code, position}].
const { Client } = require('pg');

async function main() {
  const [host, port] = process.argv.slice(2);
  const queries = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const client = new Client({ host, port: Number(port), user: 'tester', database: 'sluice' });
  await client.connect();
  const out = [];
  for (const q of queries) {
    try {
      const r = await client.query({ text: q.text, values: q.values, name: q.name, rowMode: 'array' });
      out.push({ rows: r.rows, types: r.fields.map((f) => f.dataTypeID) });
    } catch (e) {
      out.push({ error: e.message, code: e.code, position: e.position ? Number(e.position) : null });
    }
  }
  await client.end();
  process.stdout.write(JSON.stringify(out, (k, v) => (v instanceof Date ? v.toISOString() : v)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
