// pages/pipelines.js — the dataflows from `/api/pipelines/stream`: the checkpoint state; the graph of
// sources → views → sinks laid out in columns by depth (SVG); for each view its operator dataflow
// (its Source nodes → operators → the view) with rows/s in and out and watermark delay per operator;
// the same numbers in tables. Counters in the events are totals since start, so every rate is derived
// from two successive events; a counter that went down (a view recreated) restarts its rate.
import { enc, live } from '../api.js';
import { bytes, clear, count, el, heading, link, millis, rate, table } from '../dom.js';
import { lifetime, notice } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 215, NODE_H = 74, COL_GAP = 56, ROW_GAP = 22, PAD = 16;
const OP_W = 172, OP_H = 76, OP_GAP = 26;
const DETAIL_CHARS = 22;
const OPEN_VIEWS = 4;  // with more views than this, their dataflows start closed

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

// Text with its raw number in data-raw, for readers (and tests) that want the value, not its format.
function num(text, raw, testid) {
  return el('span', { testid, dataset: { raw: raw ?? '' } }, text);
}

function shorten(text, n = DETAIL_CHARS) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

// An SVG graph of boxes in columns with curved edges. nodes: {id, x, y, w, h, cls, title, lines,
// testid, data: {…}, href, tip}; edges: [fromId, toId].
function drawGraph(nodes, edgeList, { marker, testid, attrs = {} }) {
  let w = 0, h = 0;
  for (const n of nodes.values()) {
    w = Math.max(w, n.x + n.w + PAD);
    h = Math.max(h, n.y + n.h + PAD);
  }
  const root = svg('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: 'graph', 'data-testid': testid, ...attrs },
    svg('defs', {}, svg('marker', { id: marker, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8,
      orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#7a8899' }))));
  for (const [from, to] of edgeList) {
    const a = nodes.get(from), b = nodes.get(to);
    if (!a || !b) continue;
    const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2, mx = (x1 + x2) / 2;
    root.append(svg('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: 'edge',
      'marker-end': `url(#${marker})` }));
  }
  for (const n of nodes.values()) {
    const data = {};
    for (const [k, v] of Object.entries(n.data || {})) data[`data-${k}`] = v;
    const box = svg('g', { class: `node ${n.cls}`, transform: `translate(${n.x},${n.y})`, 'data-testid': n.testid, ...data },
      svg('rect', { width: n.w, height: n.h, rx: 6 }),
      svg('text', { x: 10, y: 18, class: 'title' }, n.title),
      ...n.lines.map((t, k) => svg('text', { x: 10, y: 35 + k * 14 }, t)));
    if (n.tip) box.prepend(svg('title', {}, n.tip));
    if (n.href) {
      const a = svg('a', { href: n.href });
      a.append(box);
      root.append(a);
    } else root.append(box);
  }
  return root;
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
    return [`${i.kind || 'source'} · ${i.topic || ''}`, `${rate(r)} rec/s · wm delay ${millis(delayOf(i.watermark_delay_ms))}`,
      `late ${count(i.late_events)} · dead ${count(i.dead_letters)}`];
  if (n.kind === 'view')
    return ['materialized view', `${rate(r)} rows/s · ${count(i.rows)} rows`, `state ${bytes(i.state_bytes)}`];
  return [`sink → ${i.topic || ''}`, `${rate(r)} rec/s`, `${count(i.records_out)} records out`];
}

function graph(g, nodeRates) {
  const nodes = new Map();
  for (const [id, n] of layout(g))
    nodes.set(id, { id, x: n.x, y: n.y, w: NODE_W, h: NODE_H, cls: n.kind, title: n.item.name,
      lines: nodeLines(n, nodeRates.get(id)), testid: `node-${n.kind}`, data: { name: n.item.name },
      href: n.kind === 'view' ? `#/views/${enc(n.item.name)}` : null });
  return drawGraph(nodes, edges(g), { marker: 'arrow-pipelines', testid: 'pipeline-graph' });
}

// A view's operators in columns: Source nodes (no inputs) first, each operator one past its deepest
// input, the view itself last, fed by the operators no other operator reads (the plan's root).
function operatorGraph(v, opRates, delays) {
  const ops = v.operators || [];
  const byId = new Map(ops.map((o) => [o.id, o]));
  const col = new Map();
  const colOf = (o, seen = new Set()) => {
    if (col.has(o.id)) return col.get(o.id);
    if (seen.has(o.id)) return 0;
    seen.add(o.id);
    let c = 0;
    for (const i of o.inputs || []) if (byId.has(i)) c = Math.max(c, colOf(byId.get(i), seen) + 1);
    col.set(o.id, c);
    return c;
  };
  ops.forEach((o) => colOf(o));
  const read = new Set(ops.flatMap((o) => o.inputs || []));
  const viewCol = Math.max(0, ...col.values()) + 1;
  const rows = [];
  const nodes = new Map();
  const put = (id, c, node) => {
    const r = (rows[c] = (rows[c] || 0) + 1) - 1;
    nodes.set(id, { id, x: PAD + c * (OP_W + OP_GAP), y: PAD + r * (OP_H + ROW_GAP), w: OP_W, h: OP_H, ...node });
  };
  for (const o of [...ops].sort((a, b) => col.get(a.id) - col.get(b.id) || b.id - a.id)) {
    const r = opRates.get(o.id) || {};
    const source = o.kind === 'Source';
    put(`op:${o.id}`, col.get(o.id), {
      cls: source ? 'source' : 'op',
      title: source ? `${o.detail}` : `${o.kind}`,
      tip: `#${o.id} ${o.kind} ${o.detail}`,
      lines: [source ? `source #${o.id}` : shorten(o.detail || `#${o.id}`),
        `in ${rate(r.in)}/s · out ${rate(r.out)}/s`,
        `${count(o.rows_out)} out · wm ${millis(delays.get(o.id))}`],
      testid: 'op-node', data: { id: o.id, kind: o.kind },
    });
  }
  put(`view:${v.name}`, viewCol, { cls: 'view', title: v.name, lines: ['materialized view', `${count(v.rows)} rows`,
    `state ${bytes(v.state_bytes)}`], testid: 'op-view', data: { name: v.name }, href: `#/views/${enc(v.name)}` });
  const edgeList = [];
  for (const o of ops) for (const i of o.inputs || []) edgeList.push([`op:${i}`, `op:${o.id}`]);
  for (const o of ops) if (!read.has(o.id)) edgeList.push([`op:${o.id}`, `view:${v.name}`]);
  return drawGraph(nodes, edgeList, { marker: `arrow-view-${v.name}`, testid: 'operator-graph' });
}

// A watermark delay worth showing: a table's watermark is "end of time" (its rows have no event
// time), which makes the delay negative; that is no delay at all, shown as '–'.
function delayOf(ms) {
  return ms === null || ms === undefined || ms < 0 ? null : ms;
}

// The server's clock at the event: a source's watermark plus its delay as the server computed it
// (a source whose watermark is in the past, so both are exact in a double).
function serverNow(sources) {
  for (const s of sources)
    if (s.watermark != null && delayOf(s.watermark_delay_ms) !== null) return s.watermark + s.watermark_delay_ms;
  return Date.now();
}

function checkpointPanel(c) {
  const tile = (key, label, text, raw) =>
    el('div.stat', el('div.label', label), el('div.value', { testid: `checkpoint-${key}`, dataset: { raw: raw ?? '' } }, text));
  if (!c) return null;
  const none = !c.last;
  return el('section', { testid: 'checkpoint-panel' },
    el('h2', 'Checkpoints'),
    el('div.stats.compact',
      tile('last', 'Last checkpoint', none ? 'none yet' : `#${c.last}`, c.last),
      tile('lag', 'Age', none ? '–' : millis(c.lag_ms), c.lag_ms),
      // A run that restored a checkpoint and has taken none yet has no duration to show.
      tile('duration', 'Took', none || !c.taken ? '–' : millis((c.last_duration_seconds ?? 0) * 1000),
        c.taken ? c.last_duration_seconds : null),
      tile('taken', 'Taken since start', count(c.taken), c.taken),
      tile('failures', 'Failures', count(c.failures), c.failures),
      tile('restored', 'Restored from', c.restored_from ? `#${c.restored_from}` : 'none', c.restored_from)));
}

// Operators in dataflow order (as the graph reads left to right): inputs before what reads them.
function flowOrder(ops) {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const out = [], seen = new Set();
  const visit = (o) => {
    if (seen.has(o.id)) return;
    seen.add(o.id);
    for (const i of o.inputs || []) if (byId.has(i)) visit(byId.get(i));
    out.push(o);
  };
  const read = new Set(ops.flatMap((o) => o.inputs || []));
  ops.filter((o) => !read.has(o.id)).forEach(visit);
  ops.forEach(visit);
  return out;
}

// Open or closed by the reader; redraws (every event) keep what they chose.
function viewDataflow(v, opRates, delays, open, setOpen) {
  const ops = flowOrder(v.operators || []);
  const col = (o) => opRates.get(o.id) || {};
  return el('details.panel.dataflow', { testid: 'view-dataflow', dataset: { name: v.name }, open,
    ontoggle: (e) => setOpen(e.target.open) },
    el('summary', 'Dataflow of ', link(`#/views/${enc(v.name)}`, v.name),
      el('span.muted', ` · ${ops.length} operators · ${count(v.rows)} rows · state ${bytes(v.state_bytes)}`)),
    ops.length ? el('div.scroll', operatorGraph(v, opRates, delays)) : el('p.muted', 'No operators reported.'),
    ops.length ? table(['#', 'Operator', 'Detail', 'Inputs', 'Rows in', 'Rows/s in', 'Rows out', 'Rows/s out', 'Watermark delay'],
      ops.map((o) => [String(o.id), o.kind, el('code', o.detail || ''), (o.inputs || []).map((i) => `#${i}`).join(', '),
        num(count(o.rows_in), o.rows_in, 'op-rows-in'), num(rate(col(o).in), col(o).in, 'op-rate-in'),
        num(count(o.rows_out), o.rows_out, 'op-rows-out'), num(rate(col(o).out), col(o).out, 'op-rate-out'),
        num(millis(delays.get(o.id)), delays.get(o.id), 'op-watermark-delay')]),
      { testid: 'operators-table', dataset: { view: v.name } }) : null);
}

export function pipelines(root) {
  const life = lifetime();
  const status = notice('pipelines-status');
  const body = el('div', { testid: 'pipelines' });
  root.append(heading('Pipelines'), status.node, body);
  const r = new rates();
  const open = new Map();  // view name → its dataflow panel is open
  const draw = (raw) => {
    const g = { sources: raw.sources || [], views: raw.views || [], sinks: raw.sinks || [] };
    const now = performance.now();
    const clock = serverNow(g.sources);
    const nodeRates = new Map();
    for (const s of g.sources) nodeRates.set(`source:${s.name}`, r.of(`source:${s.name}`, s.records_in ?? 0, now));
    const opRates = new Map(), delays = new Map();
    for (const v of g.views) {
      const ops = v.operators || [];
      // The plan's root (read by no other operator) emits the view's rows.
      const read = new Set(ops.flatMap((o) => o.inputs || []));
      const top = ops.find((o) => !read.has(o.id));
      nodeRates.set(`view:${v.name}`, r.of(`view:${v.name}`, top ? top.rows_out ?? 0 : 0, now));
      const rs = new Map(), ds = new Map();
      for (const o of ops) {
        rs.set(o.id, { in: r.of(`op:${v.name}:${o.id}:in`, o.rows_in ?? 0, now),
          out: r.of(`op:${v.name}:${o.id}:out`, o.rows_out ?? 0, now) });
        ds.set(o.id, o.watermark == null ? null : delayOf(clock - o.watermark));
      }
      opRates.set(v.name, rs);
      delays.set(v.name, ds);
    }
    for (const s of g.sinks) nodeRates.set(`sink:${s.name}`, r.of(`sink:${s.name}`, s.records_out ?? 0, now));
    const checkpoints = checkpointPanel(raw.checkpoint);
    if (!g.sources.length && !g.views.length && !g.sinks.length) {
      clear(body, checkpoints,
        el('p.muted', { testid: 'pipelines-empty' }, 'No sources, views or sinks yet — create some on the SQL page.'));
      return;
    }
    clear(body,
      checkpoints,
      el('section.panel.scroll', graph(g, nodeRates)),
      g.views.map((v) => viewDataflow(v, opRates.get(v.name), delays.get(v.name),
        open.get(v.name) ?? g.views.length <= OPEN_VIEWS, (o) => open.set(v.name, o))),
      el('section.panel', el('h2', 'Sources'), table(['Name', 'Kind', 'Topic', 'Format', 'Records/s', 'Records in',
        'Watermark delay', 'Late', 'Dead letters'], g.sources.map((s) => [s.name, s.kind, link(`#/topics/${enc(s.topic)}`, s.topic),
        s.format, rate(nodeRates.get(`source:${s.name}`)), count(s.records_in), millis(delayOf(s.watermark_delay_ms)),
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
