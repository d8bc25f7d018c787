// dom.js — a tiny hyperscript helper and the number/time formatters every page shares. No state.

// el('div.card', {dataset: {testid: 'x'}, onclick}, child, [children], 'text')
export function el(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const node = document.createElement(name || 'div');
  if (classes.length) node.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'testid') node.setAttribute('data-testid', v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : String(c));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// A table from column names and rows (arrays of cells: text or nodes).
export function table(columns, rows, attrs = {}) {
  return el('table.data', attrs,
    el('thead', el('tr', columns.map((c) => el('th', c)))),
    el('tbody', rows.map((r) => el('tr', r.map((cell) => el('td', cell))))));
}

export function count(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

export function rate(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 10 ? 1 : 2);
}

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m ${s % 60}s`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function millis(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100000) return `${(ms / 1000).toFixed(1)} s`;
  return duration(ms / 1000);
}

export function timestamp(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

// A cell value as text: JSON for objects, '' → shown as an empty string, null as NULL.
export function cell(v) {
  if (v === null || v === undefined) return el('span.null', 'NULL');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// Text that is JSON shown pretty-printed; anything else as it is.
export function pretty(text) {
  if (text === null || text === undefined) return el('span.null', 'null');
  const t = String(text).trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return el('pre.json', JSON.stringify(JSON.parse(t), null, 2));
    } catch {
      // not JSON after all
    }
  }
  return el('pre.text', String(text));
}

export function link(href, text, attrs = {}) {
  return el('a', { href, ...attrs }, text);
}

// The page heading with optional actions on the right.
export function heading(title, ...actions) {
  return el('header.page-head', el('h1', title), el('div.actions', actions));
}
