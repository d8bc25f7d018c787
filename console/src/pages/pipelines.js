// pages/pipelines.js — the dataflow graph from `/api/pipelines/stream`: sources → views → sinks laid
// out in columns by depth (SVG), with rates derived from successive events (counters are totals),
// watermark delay, late and dead-lettered counts and state size; the same numbers in tables below.
import { enc, live } from '../api.js';
import { bytes, clear, count, el, heading, link, millis, rate, table } from '../dom.js';
import { lifetime, notice } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 200, NODE_H = 74, COL_GAP = 56, ROW_GAP = 22, PAD = 16;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// Per-second rates of named counters between two snapshots.
class rates {
  constructor() {
    this.prev = new Map();
  }
  of(id, total, now) {
    const p = this.prev.get(id);
    this.prev.set(id, { total, now });
    if (!p || now <= p.now || total < p.total) return null;
    return ((total - p.total) * 1000) / (now - p.now);
  }
}

// Columns: every source in 0, a view one past the deepest of its inputs, sinks after every view.
function layout(g) {
  const depth = new Map();
  for (const s of g.sources) depth.set(s.name, 0);
  const viewDepth = (v, seen = new Set()) => {
    if (depth.has(v.name)) return depth.get(v.name);
    if (seen.has(v.name)) return 1;
    seen.add(v.name);
    let d = 1;
    for (const input of v.inputs || []) {
      const iv = g.views.find((w) => w.name === input);
      d = Math.max(d, (iv ? viewDepth(iv, seen) : 0) + 1);
    }
    depth.set(v.name, d);
    return d;
  };
  g.views.forEach((v) => viewDepth(v));
  const sinkCol = Math.max(1, ...g.views.map((v) => depth.get(v.name))) + 1;
  const columns = [];
  const place = (kind, item, col) => (columns[col] ||= []).push({ kind, item, id: `${kind}:${item.name}` });
  g.sources.forEach((s) => place('source', s, 0));
  g.views.forEach((v) => place('view', v, depth.get(v.name)));
  g.sinks.forEach((s) => place('sink', s, sinkCol));
  const pos = new Map();
  columns.forEach((nodes, c) =>
    (nodes || []).forEach((n, r) => pos.set(n.id, { ...n, x: PAD + c * (NODE_W + COL_GAP), y: PAD + r * (NODE_H + ROW_GAP) })));
  return pos;
}

function edges(g) {
  const names = new Map();
  g.sources.forEach((s) => names.set(s.name, `source:${s.name}`));
  g.views.forEach((v) => names.set(v.name, `view:${v.name}`));
  const out = [];
  for (const v of g.views) for (const i of v.inputs || []) if (names.has(i)) out.push([names.get(i), `view:${v.name}`]);
  for (const s of g.sinks) if (names.has(s.view)) out.push([names.get(s.view), `sink:${s.name}`]);
  return out;
}

function nodeLines(n, r) {
  const i = n.item;
  if (n.kind === 'source')
    return [`${i.kind || 'source'} · ${i.topic || ''}`, `${rate(r)} rec/s · wm delay ${millis(i.watermark_delay_ms)}`,
      `late ${count(i.late_events)} · dead ${count(i.dead_letters)}`];
  if (n.kind === 'view')
    return ['materialized view', `${rate(r)} rows/s · ${count(i.rows)} rows`, `state ${bytes(i.state_bytes)}`];
  return [`sink → ${i.topic || ''}`, `${rate(r)} rec/s`, `${count(i.records_out)} records out`];
}

function graph(g, nodeRates) {
  const pos = layout(g);
  let w = 0, h = 0;
  for (const p of pos.values()) {
    w = Math.max(w, p.x + NODE_W + PAD);
    h = Math.max(h, p.y + NODE_H + PAD);
  }
  const root = svg('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: 'graph', 'data-testid': 'pipeline-graph' },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8,
      orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#7a8899' }))));
  for (const [from, to] of edges(g)) {
    const a = pos.get(from), b = pos.get(to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2, mx = (x1 + x2) / 2;
    root.append(svg('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: 'edge',
      'marker-end': 'url(#arrow)' }));
  }
  for (const n of pos.values()) {
    const lines = nodeLines(n, nodeRates.get(n.id));
    const box = svg('g', { class: `node ${n.kind}`, transform: `translate(${n.x},${n.y})`, 'data-testid': `node-${n.kind}`,
      'data-name': n.item.name },
      svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }),
      svg('text', { x: 10, y: 18, class: 'title' }, n.item.name),
      ...lines.map((t, k) => svg('text', { x: 10, y: 36 + k * 15 }, t)));
    if (n.kind === 'view') {
      const a = svg('a', { href: `#/views/${enc(n.item.name)}` });
      a.append(box);
      root.append(a);
    } else root.append(box);
  }
  return root;
}

export function pipelines(root) {
  const life = lifetime();
  const status = notice('pipelines-status');
  const body = el('div', { testid: 'pipelines' });
  root.append(heading('Pipelines'), status.node, body);
  const r = new rates();
  const draw = (raw) => {
    const g = { sources: raw.sources || [], views: raw.views || [], sinks: raw.sinks || [] };
    const now = performance.now();
    const nodeRates = new Map();
    for (const s of g.sources) nodeRates.set(`source:${s.name}`, r.of(`source:${s.name}`, s.records_in ?? 0, now));
    for (const v of g.views) {
      const ops = v.operators || [];
      const last = ops.length ? ops[ops.length - 1] : null;
      nodeRates.set(`view:${v.name}`, r.of(`view:${v.name}`, last ? last.rows_out ?? 0 : 0, now));
    }
    for (const s of g.sinks) nodeRates.set(`sink:${s.name}`, r.of(`sink:${s.name}`, s.records_out ?? 0, now));
    if (!g.sources.length && !g.views.length && !g.sinks.length) {
      clear(body, el('p.muted', { testid: 'pipelines-empty' }, 'No sources, views or sinks yet — create some on the SQL page.'));
      return;
    }
    clear(body,
      el('section.panel.scroll', graph(g, nodeRates)),
      el('section.panel', el('h2', 'Sources'), table(['Name', 'Kind', 'Topic', 'Format', 'Records/s', 'Records in',
        'Watermark delay', 'Late', 'Dead letters'], g.sources.map((s) => [s.name, s.kind, link(`#/topics/${enc(s.topic)}`, s.topic),
        s.format, rate(nodeRates.get(`source:${s.name}`)), count(s.records_in), millis(s.watermark_delay_ms),
        count(s.late_events), count(s.dead_letters)]), { testid: 'sources-table' })),
      el('section.panel', el('h2', 'Views'), table(['Name', 'Inputs', 'Rows/s out', 'Rows', 'State', 'SQL'],
        g.views.map((v) => [link(`#/views/${enc(v.name)}`, v.name), (v.inputs || []).join(', '),
          rate(nodeRates.get(`view:${v.name}`)), count(v.rows), bytes(v.state_bytes), el('code.sql', v.sql || '')]),
        { testid: 'views-table' })),
      g.sinks.length ? el('section.panel', el('h2', 'Sinks'), table(['Name', 'View', 'Topic', 'Format', 'Records/s', 'Records out'],
        g.sinks.map((s) => [s.name, s.view, link(`#/topics/${enc(s.topic)}`, s.topic), s.format,
          rate(nodeRates.get(`sink:${s.name}`)), count(s.records_out)]), { testid: 'sinks-table' })) : null);
  };
  life.add(live('/api/pipelines/stream', { pipelines: draw }, status.stream('the pipelines stream')));
  return life.end;
}
