// The console against `sluice demo`: the shop's console loads, the overview's ingest rate rises while
// the generator runs, live views change without a reload, the fraud service's consumer group shows
// its offsets and lag, the pipelines page draws the shop's dataflows, and SQL typed in the editor
// returns rows of a demo view. One demo and one browser for the file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import { ARTIFACTS, launch, openPage, screenshot } from './lib/browser.mjs';
import { SluiceDemo } from './lib/demo.mjs';
import { tempDir, until } from './lib/server.mjs';

let demo;
let browser;
let dir;

before(async () => {
  dir = tempDir('demo');
  demo = await new SluiceDemo(dir).start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  const code = await demo?.stop();
  assert.equal(code, 0, `sluice demo did not exit 0 on SIGTERM\n${demo?.logTail()}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function page(hash) {
  return openPage(browser.context, `${demo.url}/#${hash}`);
}

function noProblems(p) {
  assert.deepEqual(p.problems, [], 'the page logged errors');
}

const raw = async (locator) => {
  const v = await locator.getAttribute('data-raw');
  return v === null || v === '' ? null : Number(v);
};

// A table's header names and body cells.
function tableOf(p, testid) {
  return p.$eval(`[data-testid=${testid}]`, (t) => ({
    columns: [...t.tHead.rows[0].cells].map((c) => c.textContent),
    rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent)),
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

const number = (text) => Number(String(text).replace(/,/g, ''));

test("the demo's console loads with the shop's views, sinks and checkpoints on the overview", async () => {
  const p = await page('/');
  await p.waitForSelector('[data-testid=page] h1');
  // Eleven views and two sinks in docs/demo.md; the counts come from two different streams.
  await until(async () => (await raw(p.getByTestId('stat-views'))) >= 11, 'the demo views on the overview', 30000);
  await until(async () => (await raw(p.getByTestId('stat-sinks'))) === 2, 'the two fraud-alert sinks');
  await until(async () => (await raw(p.getByTestId('stat-checkpoint_last'))) >= 1, 'a checkpoint');
  assert.ok((await raw(p.getByTestId('stat-topics'))) >= 9, 'the shop topics');
  assert.equal(await p.locator('.notice.error, [data-testid=page-error]').count(), 0);
  noProblems(p);
  await p.close();
});

test("the overview's ingest rate rises while the generator runs", async () => {
  const p = await page('/');
  const rate = p.getByTestId('stat-records_in_per_second');
  const total = p.getByTestId('stat-records_in_total');
  await until(async () => (await raw(rate)) > 0, 'a positive ingest rate', 30000);
  const before = await raw(total);
  await until(async () => (await raw(total)) > before, 'the ingest total to grow', 30000);
  await screenshot(p, 'demo-overview');
  noProblems(p);
  await p.close();
});

test('a live view of the demo changes without a reload', async () => {
  const p = await page('/views/inventory_levels');
  await p.evaluate(() => { window.notReloaded = true; });
  // Every sale, return and restock is a movement: their sum over the products only grows.
  const movements = async () => {
    const t = await tableOf(p, 'view-table');
    const i = t.columns.indexOf('movements');
    return i < 0 || t.rows.length === 0 ? null : t.rows.reduce((sum, r) => sum + number(r[i]), 0);
  };
  const first = await until(movements, 'inventory levels with movements', 30000);
  await until(async () => (await movements()) > first, 'more stock movements in the live view', 30000);
  assert.equal(await p.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  await screenshot(p, 'demo-view-inventory');
  noProblems(p);
  await p.close();
});

test("the consumer group page of the demo's fraud service shows its offsets and lag", async () => {
  const p = await page('/groups/fraud-service');
  // The service commits what it read of fraud_alerts; the page's lag is end offset − committed.
  const row = async () => {
    const t = await tableOf(p, 'offsets-table');
    const r = t.rows.find((cells) => cells[0] === 'fraud_alerts');
    if (!r) return null;
    const [committed, end, lag] = [2, 3, 4].map((k) => number(r[k]));
    return committed >= 1 ? { committed, end, lag } : null;
  };
  const r = await until(row, 'committed offsets of fraud_alerts', 60000);
  assert.equal(r.lag, r.end - r.committed, 'lag is end offset minus committed');
  assert.ok(r.lag >= 0);
  const total = await until(async () => raw(p.getByTestId('group-lag')).then((v) => (v === null ? null : { v })),
    'the total lag');
  assert.ok(total.v >= 0);
  assert.match(await p.getByTestId('members-table').textContent(), /fraud_alerts/);
  await screenshot(p, 'demo-group');
  noProblems(p);
  await p.close();
});

test("the pipelines page draws the demo's dataflows with live counts and checkpoints", async () => {
  const p = await page('/pipelines');
  const flow = await openDataflow(p, 'revenue_per_minute');
  await flow.locator('[data-testid=op-node][data-kind=Source]').waitFor();
  assert.match(await flow.locator('[data-testid=op-node][data-kind=Source]').textContent(), /orders/);
  const sourceOut = () => p.$eval('[data-testid=operators-table][data-view=revenue_per_minute] tbody tr',
    (r) => Number(r.querySelector('[data-testid=op-rows-out]').dataset.raw));
  const first = await until(sourceOut, 'orders read by revenue_per_minute');
  await until(async () => (await sourceOut()) > first, 'more orders read by revenue_per_minute', 30000);
  await until(async () => (await raw(p.getByTestId('checkpoint-last'))) >= 1, 'a checkpoint number');
  assert.equal(await p.locator('[data-testid=view-dataflow]').count() >= 11, true, 'a dataflow per demo view');
  // Streams have a watermark delay; tables (no event time) show none rather than a negative one.
  const sources = await tableOf(p, 'sources-table');
  const delay = (name) => sources.rows.find((r) => r[0] === name)[sources.columns.indexOf('Watermark delay')];
  assert.match(delay('orders'), /\d/);
  assert.equal(delay('products'), '–');
  await screenshot(p, 'demo-pipelines');
  await p.screenshot({ path: `${ARTIFACTS}/demo-pipelines-top.png` });
  noProblems(p);
  await p.close();
});

test('a SQL statement typed in the editor returns rows of a demo view', async () => {
  const p = await page('/sql');
  const editor = p.getByTestId('sql-editor');
  await editor.fill('SELECT window_start, orders, revenue FROM revenue_per_minute ORDER BY window_start DESC LIMIT 5');
  // The replayed history closes its first minutes within seconds of the start.
  const rows = await until(async () => {
    await p.getByTestId('sql-run').click();
    await p.getByTestId('sql-command').waitFor();
    if ((await p.locator('[data-testid=sql-result-table]').count()) === 0) return null;
    const t = await tableOf(p, 'sql-result-table');
    return t.rows.length ? t : null;
  }, 'rows of revenue_per_minute', 60000, 500);
  assert.deepEqual(rows.columns, ['window_start', 'orders', 'revenue']);
  assert.ok(rows.rows.length >= 1 && rows.rows.length <= 5);
  for (const r of rows.rows) assert.ok(number(r[1]) >= 1, `a closed minute has orders: ${r}`);
  assert.match(await p.getByTestId('sql-command').textContent(), /SELECT \d+/);
  await screenshot(p, 'demo-sql');
  noProblems(p);
  await p.close();
});

// Last: it waits for a minute to close while the page is open.
test('revenue per minute gains a row without a reload when a minute closes', async () => {
  const p = await page('/views/revenue_per_minute');
  await p.evaluate(() => { window.notReloaded = true; });
  const windows = () => raw(p.getByTestId('view-count'));
  const first = await until(async () => (await windows()) || null, 'closed minutes in revenue_per_minute', 30000);
  // A minute closes when the watermark (event time − 5 s) passes its end: within about 65 s.
  await until(async () => (await windows()) > first, 'a newly closed minute', 100000, 250);
  assert.equal(await p.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  await p.locator('[data-testid=view-chart] canvas').waitFor();
  await screenshot(p, 'demo-revenue-per-minute');
  noProblems(p);
  await p.close();
});
