// chart.js — line charts over uPlot: a rolling chart fed one point at a time (overview, lag trend)
// and a chart replaced wholesale (a view's rows). Width follows the container.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function widthOf(node) {
  return Math.max(300, (node.clientWidth || node.parentElement?.clientWidth || 600) - 8);
}

// With one point uPlot spans years after it (a day in its milliseconds unit): show a minute around it.
function xRange(u, min, max) {
  const xs = u.data?.[0] || [];
  if (xs.length === 0 || !Number.isFinite(min) || !Number.isFinite(max)) {
    const now = Date.now() / 1000;
    return [now - 60, now];
  }
  if (xs.length === 1 || min === max) return [xs[0] - 30, xs[0] + 30];
  return [min, max];
}

function options(node, names, { height = 220, yLabel = '', xTime = true } = {}) {
  return {
    width: widthOf(node),
    height,
    scales: { x: { time: xTime, range: xRange } },
    axes: [{}, { label: yLabel, size: 70 }],
    legend: { live: true },
    series: [{}, ...names.map((name, i) => ({ label: name, stroke: COLORS[i % COLORS.length], width: 2 }))],
  };
}

function fitWidth(plot, node) {
  const observer = new ResizeObserver(() => plot.setSize({ width: widthOf(node), height: plot.height }));
  observer.observe(node);
  return observer;
}

// A chart of the last `keep` points of named series; push(values) appends one at the current time.
export function rollingChart(node, names, { keep = 120, ...opts } = {}) {
  const data = [[], ...names.map(() => [])];
  const plot = new uPlot(options(node, names, opts), data, node);
  const observer = fitWidth(plot, node);
  return {
    push(values, at = Date.now() / 1000) {
      data[0].push(at);
      values.forEach((v, i) => data[i + 1].push(v));
      if (data[0].length > keep) data.forEach((column) => column.shift());
      plot.setData(data);
    },
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}

// A chart whose whole data is set at once: set(xs, [series…]). Series names are fixed at creation.
export function staticChart(node, names, opts = {}) {
  const plot = new uPlot(options(node, names, opts), [[], ...names.map(() => [])], node);
  const observer = fitWidth(plot, node);
  return {
    set(xs, series) {
      plot.setData([xs, ...series]);
    },
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}
