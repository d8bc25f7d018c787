// pages/trace.js — follow one key (or a trace-id header) through the system via `/api/trace`:
// every record carrying it in every topic, and every view row whose key column equals it.
import { enc, getJson } from '../api.js';
import { cell, clear, el, heading, link, pretty, table, timestamp } from '../dom.js';
import { lifetime, notice } from './common.js';

let last = { mode: 'key', key: '', header: '', value: '' };

export function trace(root, _params, query) {
  const life = lifetime();
  const status = notice('trace-status');
  status.set('ok', '');
  const mode = el('select', { testid: 'trace-mode' }, el('option', { value: 'key' }, 'by key'),
    el('option', { value: 'header' }, 'by header'));
  const key = el('input', { type: 'text', placeholder: 'key', testid: 'trace-key' });
  const header = el('input', { type: 'text', placeholder: 'header name', testid: 'trace-header' });
  const value = el('input', { type: 'text', placeholder: 'header value', testid: 'trace-value' });
  const results = el('div', { testid: 'trace-results' });
  const sync = () => {
    key.hidden = mode.value !== 'key';
    header.hidden = value.hidden = mode.value !== 'header';
  };
  Object.assign(last, Object.fromEntries(query));
  mode.value = last.mode === 'header' ? 'header' : 'key';
  key.value = last.key || '';
  header.value = last.header || '';
  value.value = last.value || '';
  sync();
  mode.addEventListener('change', sync);

  const search = (e) => {
    e?.preventDefault();
    last = { mode: mode.value, key: key.value, header: header.value, value: value.value };
    const q = mode.value === 'key' ? new URLSearchParams({ key: key.value })
      : new URLSearchParams({ header: header.value, value: value.value });
    if (mode.value === 'key' ? !key.value : !header.value) return status.error(new Error('Enter what to trace.'));
    status.set('loading', 'Tracing…');
    getJson(`/api/trace?${q}`)
      .then((r) => {
        if (!life.alive) return;
        const records = r.records || [];
        const views = (r.views || []).filter((v) => (v.rows || []).length);
        status.set('ok', `${records.length} record${records.length === 1 ? '' : 's'} in topics, ` +
          `rows in ${views.length} view${views.length === 1 ? '' : 's'}`);
        clear(results,
          el('section.panel', el('h2', 'Records'), records.length === 0 ? el('p.muted', 'No records carry it.')
            : table(['Topic', 'Partition', 'Offset', 'Timestamp', 'Key', 'Value'], records.map((m) => [
              link(`#/topics/${enc(m.topic)}`, m.topic), String(m.partition), String(m.offset),
              el('span.nowrap', timestamp(m.timestamp)), m.key ?? el('span.null', 'null'),
              m.encoding === 'base64' ? el('pre.text', `base64: ${m.value}`) : pretty(m.value)]),
            { testid: 'trace-records' })),
          views.map((v) => {
            const names = (v.columns || []).map((c) => (typeof c === 'string' ? c : c.name));
            const cols = names.length ? names : Object.keys(v.rows[0] || {});
            return el('section.panel', el('h2', 'View ', link(`#/views/${enc(v.view)}`, v.view)),
              table(cols, v.rows.map((row) => cols.map((c) => cell(Array.isArray(row) ? row[cols.indexOf(c)] : row[c]))),
                { testid: 'trace-view' }));
          }));
      })
      .catch((err) => life.alive && status.error(err));
  };
  root.append(heading('Trace'),
    el('form.browse', { onsubmit: search, testid: 'trace-form' }, mode, key, header, value,
      el('button.primary', { type: 'submit', testid: 'trace-submit' }, 'Trace')),
    status.node, results);
  if (mode.value === 'key' ? key.value : header.value) search();
  return life.end;
}
