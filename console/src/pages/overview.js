// pages/overview.js — the server at a glance from `/api/overview/stream`: live rates, totals, and
// rolling charts of records/s and bytes/s in and out; the number of sinks and the checkpoint state from
// `/api/pipelines/stream` (left at '–' when this server has no such stream).
import { live } from '../api.js';
import { bytes, count, duration, el, heading, millis, rate } from '../dom.js';
import { rollingChart } from '../chart.js';
import { lifetime, notice } from './common.js';

const STATS = [
  ['records_in_per_second', 'Ingest records/s', rate],
  ['bytes_in_per_second', 'Ingest bytes/s', bytes],
  ['records_out_per_second', 'Egress records/s', rate],
  ['bytes_out_per_second', 'Egress bytes/s', bytes],
  ['topics', 'Topics', count],
  ['partitions', 'Partitions', count],
  ['disk_bytes', 'Disk', bytes],
  ['groups', 'Consumer groups', count],
  ['views', 'Views', count],
  ['connections', 'Connections', count],
  ['uptime_seconds', 'Uptime', duration],
  ['records_in_total', 'Records in (total)', count],
];

// From the pipelines event: key, label, value of the event, format.
const PIPELINE_STATS = [
  ['sinks', 'Sinks', (p) => (p.sinks || []).length, count],
  ['checkpoint_last', 'Last checkpoint', (p) => p.checkpoint?.last || null, (n) => (n ? `#${n}` : 'none yet')],
  ['checkpoint_lag_ms', 'Checkpoint age', (p) => p.checkpoint?.lag_ms ?? null, millis],
];

export function overview(root) {
  const life = lifetime();
  const status = notice('overview-status');
  const values = {};
  const tiles = [...STATS, ...PIPELINE_STATS].map(([key, label]) => {
    values[key] = el('div.value', { testid: `stat-${key}` }, '–');
    return el('div.stat', el('div.label', label), values[key]);
  });
  const version = el('span.muted', { testid: 'server-version' });
  const recordsNode = el('div.chart', { testid: 'chart-records' });
  const bytesNode = el('div.chart', { testid: 'chart-bytes' });
  root.append(
    heading('Overview', version),
    status.node,
    el('section.stats', { testid: 'overview-stats' }, tiles),
    el('section.panel', el('h2', 'Records per second'), recordsNode),
    el('section.panel', el('h2', 'Bytes per second'), bytesNode),
  );
  const records = rollingChart(recordsNode, ['in', 'out'], { yLabel: 'records/s' });
  const byteChart = rollingChart(bytesNode, ['in', 'out'], { yLabel: 'bytes/s' });
  life.add(() => records.destroy());
  life.add(() => byteChart.destroy());

  life.add(
    live(
      '/api/overview/stream',
      {
        overview(o) {
          for (const [key, , format] of STATS) values[key].textContent = format(o[key]);
          for (const [key] of STATS) values[key].dataset.raw = o[key] ?? '';
          version.textContent = o.version ? `version ${o.version}` : '';
          records.push([o.records_in_per_second ?? 0, o.records_out_per_second ?? 0]);
          byteChart.push([o.bytes_in_per_second ?? 0, o.bytes_out_per_second ?? 0]);
        },
      },
      status.stream('the overview stream'),
    ),
  );
  life.add(
    live('/api/pipelines/stream', {
      pipelines(p) {
        for (const [key, , value, format] of PIPELINE_STATS) {
          const v = value(p);
          values[key].textContent = format(v);
          values[key].dataset.raw = v ?? '';
        }
      },
    }, () => {}),
  );
  return life.end;
}
