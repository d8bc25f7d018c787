// pages/topics.js — the topic list, and one topic: its partitions and a message browser (from an
// offset, from a time, or by key; values pretty-printed when they are JSON).
import { enc, getJson } from '../api.js';
import { bytes, cell, clear, count, el, heading, link, pretty, table, timestamp } from '../dom.js';
import { lifetime, notice } from './common.js';

export function topicList(root) {
  const life = lifetime();
  const status = notice('topics-status');
  const showInternal = el('input', { type: 'checkbox', testid: 'show-internal' });
  const body = el('div', { testid: 'topics' });
  let topics = [];
  const draw = () => {
    const shown = topics.filter((t) => showInternal.checked || !t.internal);
    clear(
      body,
      shown.length === 0
        ? el('p.muted', { testid: 'topics-empty' }, 'No topics yet.')
        : table(
            ['Topic', 'Partitions', 'Records', 'Size'],
            shown.map((t) => [
              link(`#/topics/${enc(t.name)}`, t.name, { testid: 'topic-link' }),
              count(t.partitions),
              count(t.records),
              bytes(t.bytes),
            ]),
            { testid: 'topics-table' },
          ),
    );
  };
  showInternal.addEventListener('change', draw);
  const load = () =>
    getJson('/api/topics')
      .then((r) => {
        if (!life.alive) return;
        topics = r.topics || [];
        status.clear();
        draw();
      })
      .catch((e) => life.alive && status.error(e));
  root.append(
    heading('Topics', el('label.check', showInternal, ' internal topics'),
      el('button', { onclick: load, testid: 'topics-refresh' }, 'Refresh')),
    status.node,
    body,
  );
  load();
  return life.end;
}

function messageRow(m) {
  const headers = (m.headers || []).map((h) => el('div.header', el('b', h.key), ': ', h.value ?? 'null'));
  const value = m.encoding === 'base64' ? el('pre.text', `base64: ${m.value}`) : pretty(m.value);
  return [
    String(m.partition),
    String(m.offset),
    el('span.nowrap', timestamp(m.timestamp)),
    m.key === null || m.key === undefined ? el('span.null', 'null') : el('code', m.key),
    headers.length ? headers : el('span.muted', '–'),
    value,
  ];
}

function browser(name, partitions, life) {
  const field = (label, input) => el('label.field', el('span', label), input);
  const partition = el('select', { testid: 'browse-partition' }, el('option', { value: '' }, 'all'),
    partitions.map((p) => el('option', { value: String(p.partition) }, String(p.partition))));
  const mode = el('select', { testid: 'browse-mode' },
    el('option', { value: 'latest' }, 'latest'),
    el('option', { value: 'offset' }, 'from offset'),
    el('option', { value: 'timestamp' }, 'from time'),
    el('option', { value: 'key' }, 'by key'));
  const offset = el('input', { type: 'number', min: '0', value: '0', testid: 'browse-offset' });
  const time = el('input', { type: 'datetime-local', step: '1', testid: 'browse-time' });
  const key = el('input', { type: 'text', placeholder: 'key', testid: 'browse-key' });
  const limit = el('input', { type: 'number', min: '1', max: '1000', value: '50', testid: 'browse-limit' });
  const status = notice('browse-status');
  const results = el('div', { testid: 'messages' });
  const shownFor = () => {
    offset.parentElement.hidden = mode.value !== 'offset';
    time.parentElement.hidden = mode.value !== 'timestamp';
    key.parentElement.hidden = mode.value !== 'key';
  };
  const fetchMessages = (e) => {
    e?.preventDefault();
    const q = new URLSearchParams({ limit: limit.value || '50' });
    if (partition.value !== '') q.set('partition', partition.value);
    if (mode.value === 'offset') q.set('offset', offset.value || '0');
    if (mode.value === 'timestamp') {
      const ms = time.value ? new Date(time.value).getTime() : NaN;
      if (Number.isNaN(ms)) return status.error(new Error('Choose a time to browse from.'));
      q.set('timestamp', String(ms));
    }
    if (mode.value === 'key') q.set('key', key.value);
    status.set('loading', 'Loading messages…');
    getJson(`/api/topics/${enc(name)}/messages?${q}`)
      .then((r) => {
        if (!life.alive) return;
        const messages = r.messages || [];
        status.set('ok', `${messages.length} message${messages.length === 1 ? '' : 's'}`);
        clear(results, messages.length === 0
          ? el('p.muted', { testid: 'messages-empty' }, 'No messages match.')
          : table(['Partition', 'Offset', 'Timestamp', 'Key', 'Headers', 'Value'], messages.map(messageRow),
            { testid: 'messages-table' }));
      })
      .catch((err) => life.alive && status.error(err));
  };
  mode.addEventListener('change', shownFor);
  const form = el('form.browse', { onsubmit: fetchMessages, testid: 'browse-form' },
    field('Partition', partition), field('Show', mode), field('Offset', offset), field('Time', time),
    field('Key', key), field('Limit', limit), el('button', { type: 'submit', testid: 'browse-submit' }, 'Fetch'));
  shownFor();
  fetchMessages();
  return el('section.panel', el('h2', 'Messages'), form, status.node, results);
}

export function topicPage(root, [name]) {
  const life = lifetime();
  const status = notice('topic-status');
  const body = el('div');
  root.append(heading(name, link('#/topics', '← all topics')), status.node, body);
  getJson(`/api/topics/${enc(name)}`)
    .then((t) => {
      if (!life.alive) return;
      status.clear();
      const configs = Object.entries(t.configs || {});
      body.append(
        el('section.panel', el('h2', 'Partitions'),
          table(['Partition', 'Log start', 'End offset', 'Records', 'Size', 'Segments'],
            (t.partitions || []).map((p) => [String(p.partition), count(p.log_start_offset), count(p.end_offset),
              count(p.end_offset - p.log_start_offset), bytes(p.bytes), count(p.segments)]),
            { testid: 'partitions-table' })),
        browser(name, t.partitions || [], life),
        configs.length
          ? el('details.panel', el('summary', `Configuration (${configs.length})`),
            table(['Key', 'Value'], configs.map(([k, v]) => [k, cell(v)]), { testid: 'configs-table' }))
          : null,
      );
    })
    .catch((e) => life.alive && status.error(e));
  return life.end;
}
