// The web console in a real browser against a real `sluice serve`: the pages load without errors,
// live numbers move while records are produced, SQL runs from the editor (results and errors), a
// view's table follows new events without a reload, a consumer group's lag and a produced record
// show up. One server and one browser for the file; each case uses topics of its own. Cases whose
// API endpoint this server lacks (404) are skipped, saying which.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { launch, openPage, screenshot } from './lib/browser.mjs';
import { SluiceServer, tempDir, until } from './lib/server.mjs';

let server;
let browser;
let dir;

before(async () => {
  dir = tempDir('server');
  server = await new SluiceServer(dir).start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, `sluice serve did not exit 0 on SIGTERM\n${server?.logTail()}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

// Skips the case unless every endpoint answers (not 404).
async function needs(t, ...paths) {
  for (const p of paths) {
    if ((await server.status(p)) === 404) {
      t.skip(`${p} is not served by this build`);
      return false;
    }
  }
  return true;
}

async function page(hash) {
  return openPage(browser.context, `${server.url}/#${hash}`);
}

// The text of every body cell of a table, row by row.
function cells(p, testid) {
  return p.$$eval(`[data-testid=${testid}] tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

const order = (id, amount, ts) => JSON.stringify({ id, shop: 'main', amount, ts });

function noProblems(p) {
  assert.deepEqual(p.problems, [], 'the page logged errors');
}

test('the console is served with the right types and caching', async () => {
  const index = await fetch(`${server.url}/`, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  const asset = html.match(/src="(\/assets\/[^"]+\.js)"/);
  assert.ok(asset, `index.html names a script under /assets/: ${html}`);

  const js = await fetch(`${server.url}${asset[1]}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.match(js.headers.get('cache-control'), /immutable/);
  assert.equal(js.headers.get('content-encoding'), 'gzip');
  assert.ok((await js.text()).length > 1000, 'the script decodes to its full text');

  assert.equal((await fetch(`${server.url}/assets/no-such-file.js`)).status, 404);
  assert.equal((await fetch(`${server.url}/no-such-page`)).status, 404);
  assert.equal((await fetch(`${server.url}/favicon.svg`)).headers.get('content-type'), 'image/svg+xml');
});

test('every page loads without console errors', async (t) => {
  await server.sql(`CREATE SOURCE clicks (user_id text, url text) WITH (topic = 'clicks', format = 'json')`);
  await server.sql('CREATE MATERIALIZED VIEW clicks_per_user AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id');
  server.produce('clicks', ['{"user_id": "ann", "url": "/a"}', '{"user_id": "bob", "url": "/b"}']);
  // Each page with the endpoints it reads: one this build lacks is skipped, saying so.
  const pages = [
    ['/', 'overview', ['/api/overview/stream']],
    ['/topics', 'topics', ['/api/topics']],
    ['/topics/clicks', 'topic', ['/api/topics/clicks', '/api/topics/clicks/messages']],
    ['/groups', 'groups', ['/api/groups']],
    ['/sql', 'sql', []],
    ['/views/clicks_per_user', 'view', []],
    ['/pipelines', 'pipelines', ['/api/pipelines/stream']],
    ['/trace?key=ann', 'trace', ['/api/trace?key=ann']],
  ];
  let visited = 0;
  for (const [hash, name, endpoints] of pages) {
    const missing = [];
    for (const e of endpoints) if ((await server.status(e)) === 404) missing.push(e);
    if (missing.length) {
      t.diagnostic(`${name} page not checked: ${missing.join(', ')} not served by this build`);
      continue;
    }
    const p = await page(hash);
    await p.waitForSelector('[data-testid=page] h1');
    await until(() => p.evaluate(() => !document.querySelector('.notice[data-state=loading]')), `${name} to load`);
    assert.equal(await p.locator('[data-testid=page-error], .notice.error').count(), 0, `${name} shows an error`);
    await screenshot(p, name);
    noProblems(p);
    await p.close();
    visited++;
  }
  assert.ok(visited >= 3, 'at least the SQL, view and one more page were checked');
});

test("the overview's ingest rate rises while records are produced", async (t) => {
  if (!(await needs(t, '/api/overview/stream'))) return;
  const p = await page('/');
  const rate = p.getByTestId('stat-records_in_per_second');
  await until(async () => (await rate.getAttribute('data-raw')) !== null, 'the first overview event');
  let produced = 0;
  await until(async () => {
    server.produce('overview_load', Array.from({ length: 200 }, (_, i) => `{"n": ${produced + i}}`));
    produced += 200;
    return Number(await rate.getAttribute('data-raw')) > 0;
  }, 'a positive ingest rate', 30000, 200);
  assert.notEqual(await p.getByTestId('stat-topics').textContent(), '–');
  await screenshot(p, 'overview-ingest');
  noProblems(p);
  await p.close();
});

test('a statement typed into the SQL editor returns rows', async () => {
  const p = await page('/sql');
  const editor = p.getByTestId('sql-editor');
  await editor.fill("SELECT 6 * 7 AS answer, 'sluice' AS name");
  await editor.press('Control+Enter');
  const result = p.getByTestId('sql-result-table');
  await result.waitFor();
  assert.match(await result.textContent(), /answer.*name.*42.*sluice/s);
  assert.match(await p.getByTestId('sql-command').textContent(), /SELECT 1/);
  await screenshot(p, 'sql-result');
  noProblems(p);
  await p.close();
});

test('bad SQL shows the error with its SQLSTATE and position', async () => {
  const p = await page('/sql');
  await p.getByTestId('sql-editor').fill('SELECT * FROM no_such_relation');
  await p.getByTestId('sql-run').click();
  const error = p.getByTestId('sql-error');
  await error.waitFor();
  assert.match(await p.getByTestId('sql-error-message').textContent(), /no_such_relation/);
  assert.equal(await p.getByTestId('sql-error-code').textContent(), '42P01');
  assert.match(await p.getByTestId('sql-error-position').textContent(), /at character 15/);
  await screenshot(p, 'sql-error');
  // A 400 from /api/sql is the answer, not a failure of the page; Chrome still logs the status.
  assert.deepEqual(p.problems.filter((m) => !/status of 400/.test(m)), []);
  await p.close();
});

test("a live view's numbers change without a reload when events arrive", async () => {
  await server.sql(`CREATE SOURCE orders (id bigint, shop text, amount double precision, ts timestamp,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'orders', format = 'json')`);
  await server.sql(`CREATE MATERIALIZED VIEW order_totals AS SELECT shop, count(*) AS orders, sum(amount) AS revenue
    FROM orders GROUP BY shop`);
  await server.sql(`CREATE MATERIALIZED VIEW revenue_per_minute AS SELECT window_start, count(*) AS orders,
    sum(amount) AS revenue FROM TUMBLE(orders, ts, INTERVAL '1' MINUTE) GROUP BY window_start`);
  server.produce('orders', [order(1, 10, '2024-01-01 10:00:01'), order(2, 5.5, '2024-01-01 10:00:30')]);

  const p = await page('/views/order_totals');
  await p.evaluate(() => { window.notReloaded = true; });
  const totals = async () => JSON.stringify(await cells(p, 'view-table'));
  await until(async () => (await totals()) === '[["main","2","15.5"]]', 'the first two orders in the view');
  server.produce('orders', [order(3, 100, '2024-01-01 10:01:10'), order(4, 1, '2024-01-01 10:02:20')]);
  await until(async () => (await totals()) === '[["main","4","116.5"]]', 'the view to count four orders');
  assert.equal(await p.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  await screenshot(p, 'view-live');
  noProblems(p);
  await p.close();

  // A windowed view gets a chart over window_start with its numeric columns.
  const w = await page('/views/revenue_per_minute');
  await until(async () => Number(await w.getByTestId('view-count').getAttribute('data-raw')) >= 2,
    'closed windows in revenue_per_minute');
  await w.locator('[data-testid=view-chart] canvas').waitFor();
  assert.match(await w.getByTestId('view-chart').textContent(), /orders.*revenue/s);
  await screenshot(w, 'view-chart');
  noProblems(w);
  await w.close();
});

// Each operator of one view's dataflow on the pipelines page, by kind: its raw numbers.
function operators(p, view) {
  return p.$$eval(`[data-testid=operators-table][data-view="${view}"] tbody tr`, (rows) => rows.map((r) => {
    const raw = (id) => {
      const v = r.querySelector(`[data-testid=${id}]`)?.dataset.raw;
      return v === undefined || v === '' ? null : Number(v);
    };
    return { kind: r.cells[1].textContent, detail: r.cells[2].textContent, rows_in: raw('op-rows-in'),
      rows_out: raw('op-rows-out'), rate_in: raw('op-rate-in'), rate_out: raw('op-rate-out'),
      delay: raw('op-watermark-delay') };
  }));
}

// A view's dataflow panel on the pipelines page, opened (with many views they start closed).
async function openDataflow(p, view) {
  const flow = p.locator(`[data-testid=view-dataflow][data-name="${view}"]`);
  await until(async () => {
    if (await flow.evaluate((d) => d.open)) return true;
    await flow.locator('summary').click({ position: { x: 4, y: 8 } });
    return false;
  }, `the dataflow of ${view} to open`);
  return flow;
}

const byKind = (ops, kind) => ops.find((o) => o.kind === kind);

test("the pipelines page shows a view's operators, their counts as events arrive, and checkpoints", async (t) => {
  if (!(await needs(t, '/api/pipelines/stream'))) return;
  await server.sql(`CREATE SOURCE op_orders (id bigint, shop text, amount double precision, ts timestamp,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'op_orders', format = 'json')`);
  await server.sql(`CREATE MATERIALIZED VIEW op_big_orders AS SELECT shop, count(*) AS orders, sum(amount) AS revenue
    FROM op_orders WHERE amount > 10 GROUP BY shop`);
  await server.sql(`CREATE SINK op_big_out FROM op_big_orders WITH (topic = 'op_big_out', format = 'json')`);
  server.produce('op_orders', [order(1, 5, '2024-01-01 10:00:01'), order(2, 20, '2024-01-01 10:00:02'),
    order(3, 30, '2024-01-01 10:00:03')]);

  const p = await page('/pipelines');
  const flow = await openDataflow(p, 'op_big_orders');
  // The drawn dataflow: the view's Source node reads op_orders, and the view's own node closes it.
  await flow.locator('[data-testid=op-node][data-kind=Source]').waitFor();
  assert.match(await flow.locator('[data-testid=op-node][data-kind=Source]').textContent(), /op_orders/);
  assert.equal(await flow.locator('[data-testid=op-node][data-kind=Filter]').count(), 1);
  assert.equal(await flow.locator('[data-testid=op-node][data-kind=Aggregate]').count(), 1);
  assert.equal(await flow.locator('[data-testid=op-view][data-name=op_big_orders]').count(), 1);
  assert.ok(await flow.locator('path.edge').count() >= 3, 'edges join source, operators and the view');

  const counts = async () => {
    const ops = await operators(p, 'op_big_orders');
    const source = byKind(ops, 'Source'), filter = byKind(ops, 'Filter');
    return source && filter ? `${source.rows_out} ${filter.rows_in} ${filter.rows_out}` : null;
  };
  await until(async () => (await counts()) === '3 3 2', 'three orders read, two past the filter');
  const first = await operators(p, 'op_big_orders');
  assert.match(byKind(first, 'Source').detail, /op_orders/);
  assert.match(byKind(first, 'Filter').detail, /amount > 10/);
  assert.notEqual(byKind(first, 'Source').delay, null, 'the source operator has a watermark delay');
  server.produce('op_orders', [order(4, 50, '2024-01-01 10:00:04'), order(5, 1, '2024-01-01 10:00:05')]);
  await until(async () => (await counts()) === '5 5 3', 'five orders read, three past the filter');

  // Rates come from successive events: keep producing until the source operator reports one.
  let n = 100;
  await until(async () => {
    server.produce('op_orders', Array.from({ length: 50 }, (_, i) => order(n + i, 99, '2024-01-01 10:00:06')));
    n += 50;
    const source = byKind(await operators(p, 'op_big_orders'), 'Source');
    return source.rate_out > 0 && source.rate_in > 0;
  }, 'a positive rows/s on the source operator', 30000, 300);

  // The checkpoint panel: checkpoints are taken every second while the engine runs.
  const last = p.getByTestId('checkpoint-last');
  await until(async () => Number(await last.getAttribute('data-raw')) >= 1, 'a checkpoint number of at least 1');
  assert.match(await last.textContent(), /^#\d+$/);
  assert.equal(await p.getByTestId('checkpoint-failures').getAttribute('data-raw'), '0');
  assert.notEqual(await p.getByTestId('checkpoint-lag').getAttribute('data-raw'), '');
  assert.equal(await p.locator('[data-testid=node-sink][data-name=op_big_out]').count(), 1, 'the sink in the graph');
  await flow.scrollIntoViewIfNeeded();
  await screenshot(p, 'pipelines-operators');
  noProblems(p);
  await p.close();

  // The overview counts the sinks and shows the checkpoint state from the pipelines stream.
  const o = await page('/');
  await until(async () => Number(await o.getByTestId('stat-sinks').getAttribute('data-raw')) >= 1, 'sinks on the overview');
  await until(async () => Number(await o.getByTestId('stat-checkpoint_last').getAttribute('data-raw')) >= 1,
    'the last checkpoint on the overview');
  assert.notEqual(await o.getByTestId('stat-checkpoint_lag_ms').getAttribute('data-raw'), '');
  assert.ok(Number(await o.getByTestId('stat-views').getAttribute('data-raw')) >= 1, 'views on the overview');
  await screenshot(o, 'overview-checkpoints');
  noProblems(o);
  await o.close();
});

test('the consumer group page shows lag for a group', async (t) => {
  if (!(await needs(t, '/api/groups'))) return;
  const topic = 'lagging';
  server.produce(topic, ['a', 'b', 'c']);
  const kafka = new Kafka({ clientId: 'console-test', brokers: [server.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'console-lag', sessionTimeout: 10000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await consumer.run({ autoCommit: true, autoCommitInterval: 100, eachMessage: async () => { seen++; } });
  await until(() => seen >= 3, 'the consumer to read three records', 30000);
  await consumer.commitOffsets([{ topic, partition: 0, offset: '3' }]);
  await consumer.disconnect();
  server.produce(topic, ['d', 'e', 'f', 'g', 'h']);

  const p = await page('/groups/console-lag');
  const lag = p.getByTestId('group-lag');
  await until(async () => (await lag.getAttribute('data-raw')) === '5', 'a lag of 5 on the group page');
  assert.match(await p.getByTestId('offsets-table').textContent(), /lagging.*3.*8.*5/s);
  await screenshot(p, 'group');
  noProblems(p);
  await p.close();
});

test('the topic message browser shows a produced record', async (t) => {
  server.produce('browse_me', ['user-7\t{"event": "checkout", "total": 42.5}'], { keyed: true });
  if (!(await needs(t, '/api/topics/browse_me/messages', '/api/topics/browse_me'))) return;
  const p = await page('/topics/browse_me');
  const messages = p.getByTestId('messages-table');
  await messages.waitFor();
  const text = await messages.textContent();
  assert.match(text, /user-7/);
  assert.match(text, /"event": "checkout"/, 'the JSON value is pretty-printed');
  await p.getByTestId('browse-mode').selectOption('key');
  await p.getByTestId('browse-key').fill('nobody');
  await p.getByTestId('browse-submit').click();
  await p.getByTestId('messages-empty').waitFor();
  await screenshot(p, 'topic-messages');
  noProblems(p);
  await p.close();
});

test('a page whose endpoint is missing or whose server is gone says so', async () => {
  const p = await page('/views/no_such_view');
  const status = p.getByTestId('view-status');
  await until(async () => (await status.getAttribute('data-state')) === 'error', 'an error notice');
  assert.match(await status.textContent(), /no_such_view/);
  await screenshot(p, 'missing-view');
  await p.close();
});

// Last: it restarts the shared server (same ports, same data directory).
test('a live page reconnects after a server restart and goes on updating', async () => {
  const p = await page('/views/order_totals');
  const totals = async () => JSON.stringify(await cells(p, 'view-table'));
  await until(async () => (await totals()) === '[["main","4","116.5"]]', 'the view as the earlier case left it');
  const connection = p.getByTestId('connection');
  assert.equal(await server.stop(), 0, 'sluice serve exits 0 on SIGTERM');
  await until(async () => (await connection.getAttribute('data-state')) === 'down', 'the page to notice');
  await screenshot(p, 'server-down');
  await server.start();
  server.produce('orders', [order(5, 0.5, '2024-01-01 10:03:00')]);
  await until(async () => (await totals()) === '[["main","5","117"]]', 'the fifth order after the restart', 30000);
  assert.equal(await connection.getAttribute('data-state'), 'live');
  await p.close();

  // The restarted engine resumed from a checkpoint of the first run, and the pipelines page says so.
  if ((await server.status('/api/pipelines/stream')) === 404) return;
  const q = await page('/pipelines');
  const restored = q.getByTestId('checkpoint-restored');
  await until(async () => Number(await restored.getAttribute('data-raw')) >= 1, 'the checkpoint the run restored from');
  assert.match(await restored.textContent(), /^#\d+$/);
  await screenshot(q, 'pipelines-restored');
  noProblems(q);
  await q.close();
});
