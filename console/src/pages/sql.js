// pages/sql.js — the SQL editor (POST /api/sql; Ctrl/Cmd-Enter runs it) with results or the error
// (message, SQLSTATE, position), the list of materialized views, and one view kept live from
// `/api/views/{name}/changes` as a table and, when it has a time column, a chart.
import { enc, getJson, live, runSql } from '../api.js';
import { cell, clear, el, heading, link, table } from '../dom.js';
import { staticChart } from '../chart.js';
import { lifetime, notice } from './common.js';

const NUMERIC = new Set(['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'decimal']);
const SAMPLE = 'SHOW MATERIALIZED VIEWS;';
let lastSql = null; // the editor's text survives leaving the page

function resultTable(r) {
  const names = (r.columns || []).map((c) => c.name);
  return table(names.map((n, i) => el('span', { title: r.columns[i].type }, n)),
    (r.rows || []).map((row) => names.map((n) => cell(row[n]))), { testid: 'sql-result-table' });
}

// The statement with a caret under the 1-based `position` of the mistake.
function errorBox(e, sql) {
  const parts = [el('div', { testid: 'sql-error-message' }, e.message)];
  const meta = [];
  if (e.code) meta.push(el('span', 'SQLSTATE ', el('code', { testid: 'sql-error-code' }, e.code)));
  if (e.position) meta.push(el('span', { testid: 'sql-error-position' }, `at character ${e.position}`));
  if (meta.length) parts.push(el('div.meta', meta));
  if (e.position && e.position <= sql.length) {
    const start = sql.lastIndexOf('\n', e.position - 1) + 1;
    const end = sql.indexOf('\n', e.position - 1);
    const line = sql.slice(start, end < 0 ? undefined : end);
    parts.push(el('pre.caret', `${line}\n${' '.repeat(e.position - 1 - start)}^`));
  }
  return el('div.error', { testid: 'sql-error', role: 'alert' }, parts);
}

function viewsList(life) {
  const body = el('div', { testid: 'views-list' });
  const load = () =>
    runSql('SHOW MATERIALIZED VIEWS')
      .then((r) => {
        if (!life.alive) return;
        const names = (r.rows || []).map((row) => Object.values(row)[0]).sort();
        clear(body, names.length === 0 ? el('p.muted', 'No materialized views yet.')
          : el('ul.plain', names.map((n) => el('li', link(`#/views/${enc(n)}`, n, { testid: 'view-link' })))));
      })
      .catch((e) => life.alive && clear(body, el('div.error', e.message)));
  load();
  return { node: el('section.panel.side', el('h2', 'Materialized views'), body), load };
}

export function sqlPage(root) {
  const life = lifetime();
  const editor = el('textarea.editor', { testid: 'sql-editor', spellcheck: 'false', rows: 8,
    placeholder: 'SELECT … — Ctrl/Cmd-Enter runs' });
  editor.value = lastSql ?? SAMPLE;
  const output = el('div.sql-output', { testid: 'sql-output' });
  const views = viewsList(life);
  const run = () => {
    const sql = editor.value;
    lastSql = sql;
    if (!sql.trim()) return;
    button.disabled = true;
    clear(output, el('div.notice.loading', 'Running…'));
    const started = performance.now();
    runSql(sql)
      .then((r) => {
        if (!life.alive) return;
        const ms = Math.round(performance.now() - started);
        clear(output, el('div.muted', { testid: 'sql-command' }, `${r.command || 'OK'} · ${ms} ms`),
          (r.columns || []).length ? resultTable(r) : null);
        if (/^\s*(create|drop)\b/i.test(sql) || /;\s*(create|drop)\b/i.test(sql)) views.load();
      })
      .catch((e) => life.alive && clear(output, errorBox(e, sql)))
      .finally(() => {
        button.disabled = false;
      });
  };
  const button = el('button.primary', { onclick: run, testid: 'sql-run' }, 'Run');
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  editor.addEventListener('input', () => {
    lastSql = editor.value;
  });
  root.append(heading('SQL'),
    el('div.split', el('div.main', editor, el('div.toolbar', button, el('span.muted', 'Ctrl/Cmd-Enter runs')),
      output), views.node));
  editor.focus();
  return life.end;
}

// --- one view, live ---

function timeColumn(columns) {
  const ts = columns.filter((c) => c.type.startsWith('timestamp') || c.type === 'date');
  return ts.find((c) => c.name === 'window_start') || ts.find((c) => c.name === 'window_end') || ts[0] || null;
}

function epochSeconds(v) {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  let s = String(v).trim().replace(' ', 'T');
  if (!/[zZ]|[+-]\d\d(:?\d\d)?$/.test(s.slice(10))) s += 'Z';
  return Date.parse(s) / 1000;
}

// The view's rows as a multiset: a row's JSON text → how many times it is present.
class rowBag {
  constructor() {
    this.rows = new Map();
  }
  reset(rows) {
    this.rows.clear();
    for (const r of rows) this.add(r, 1);
  }
  add(row, weight) {
    const key = JSON.stringify(row);
    const entry = this.rows.get(key) || { row, n: 0 };
    entry.n += weight;
    if (entry.n > 0) this.rows.set(key, entry);
    else this.rows.delete(key);
  }
  apply(changes) {
    if (Array.isArray(changes)) {
      for (const c of changes) this.add(c.row, c.weight ?? 1);
    } else {
      for (const r of changes.deletes || []) this.add(r, -1);
      for (const r of changes.inserts || []) this.add(r, 1);
    }
  }
  list() {
    const out = [];
    for (const { row, n } of this.rows.values()) for (let i = 0; i < n; i++) out.push(row);
    return out;
  }
}

const MAX_SHOWN = 500;

export function viewPage(root, [name]) {
  const life = lifetime();
  const status = notice('view-status');
  const info = el('span.muted', { testid: 'view-count' });
  const tableNode = el('div', { testid: 'view-rows' });
  const chartPanel = el('section.panel', { hidden: true }, el('h2', 'Chart'));
  const chartNode = el('div.chart', { testid: 'view-chart' });
  chartPanel.append(chartNode);
  root.append(heading(`View ${name}`, link('#/sql', '← SQL')), status.node, chartPanel,
    el('section.panel', el('h2', 'Rows ', info), tableNode));

  getJson(`/api/views/${enc(name)}?limit=0`)
    .then((r) => {
      if (!life.alive) return;
      const columns = r.columns || [];
      const names = columns.map((c) => c.name);
      const x = timeColumn(columns);
      const series = columns.filter((c) => c !== x && NUMERIC.has(c.type));
      let chart = null;
      if (x && series.length) {
        chartPanel.hidden = false;
        chart = staticChart(chartNode, series.map((c) => c.name), { yLabel: '' });
        life.add(() => chart.destroy());
      }
      const bag = new rowBag();
      let pending = false;
      const draw = () => {
        pending = false;
        if (!life.alive) return;
        let rows = bag.list();
        if (x) rows.sort((a, b) => epochSeconds(b[x.name]) - epochSeconds(a[x.name]));
        info.textContent = `(${rows.length}${rows.length > MAX_SHOWN ? `, newest ${MAX_SHOWN} shown` : ''})`;
        info.dataset.raw = String(rows.length);
        clear(tableNode, table(names, rows.slice(0, MAX_SHOWN).map((row) => names.map((n) => cell(row[n]))),
          { testid: 'view-table' }));
        if (chart) {
          const asc = rows.slice().reverse().filter((row) => !Number.isNaN(epochSeconds(row[x.name])));
          chart.set(asc.map((row) => epochSeconds(row[x.name])),
            series.map((c) => asc.map((row) => (row[c.name] === null ? null : Number(row[c.name])))));
        }
      };
      const later = () => {
        if (!pending) {
          pending = true;
          requestAnimationFrame(draw);
        }
      };
      life.add(live(`/api/views/${enc(name)}/changes`, {
        snapshot(rows) {
          bag.reset(rows);
          later();
        },
        changes(c) {
          bag.apply(c);
          later();
        },
        error(e) {
          status.error(new Error(e.error || 'the view stream failed'));
        },
      }, status.stream(`view ${name}`)));
    })
    .catch((e) => life.alive && status.error(e));
  return life.end;
}
