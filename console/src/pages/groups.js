// pages/groups.js — consumer groups: the list, and one group live from `/api/groups/{id}/stream`
// (members and their assignments, committed offsets and lag per partition, a lag trend chart).
import { enc, getJson, live } from '../api.js';
import { clear, count, el, heading, link, table } from '../dom.js';
import { rollingChart } from '../chart.js';
import { lifetime, notice } from './common.js';

export function groupList(root) {
  const life = lifetime();
  const status = notice('groups-status');
  const body = el('div', { testid: 'groups' });
  const load = () =>
    getJson('/api/groups')
      .then((r) => {
        if (!life.alive) return;
        status.clear();
        const groups = r.groups || [];
        clear(body, groups.length === 0
          ? el('p.muted', { testid: 'groups-empty' }, 'No consumer groups yet.')
          : table(['Group', 'State', 'Protocol', 'Members', 'Lag'],
            groups.map((g) => [link(`#/groups/${enc(g.group_id)}`, g.group_id, { testid: 'group-link' }), g.state,
              [g.protocol_type, g.protocol].filter(Boolean).join(' / ') || '–', count(g.members), count(g.lag)]),
            { testid: 'groups-table' }));
      })
      .catch((e) => life.alive && status.error(e));
  root.append(heading('Consumer groups', el('button', { onclick: load, testid: 'groups-refresh' }, 'Refresh')),
    status.node, body);
  load();
  return life.end;
}

function assignments(member) {
  return (member.assignments || []).map((a) => el('div', el('code', a.topic), ` [${a.partitions.join(', ')}]`));
}

export function groupPage(root, [id]) {
  const life = lifetime();
  const status = notice('group-status');
  const summary = el('div.kv', { testid: 'group-summary' });
  const totalLag = el('span.big', { testid: 'group-lag' }, '–');
  const members = el('div', { testid: 'group-members' });
  const offsets = el('div', { testid: 'group-offsets' });
  const chartNode = el('div.chart', { testid: 'chart-lag' });
  root.append(
    heading(`Group ${id}`, link('#/groups', '← all groups')),
    status.node,
    el('section.panel', summary, el('div', 'Total lag: ', totalLag)),
    el('section.panel', el('h2', 'Lag trend'), chartNode),
    el('section.panel', el('h2', 'Lag per partition'), offsets),
    el('section.panel', el('h2', 'Members'), members),
  );
  const chart = rollingChart(chartNode, ['total lag'], { yLabel: 'records', keep: 300 });
  life.add(() => chart.destroy());

  const draw = (g) => {
    clear(summary, [
      ['State', g.state], ['Protocol', [g.protocol_type, g.protocol].filter(Boolean).join(' / ') || '–'],
      ['Generation', g.generation ?? '–']
    ].map(([k, v]) => el('div', el('span.muted', `${k}: `), String(v))));
    totalLag.textContent = count(g.lag);
    totalLag.dataset.raw = String(g.lag ?? '');
    const ms = g.members || [];
    clear(members, ms.length === 0 ? el('p.muted', 'No active members.')
      : table(['Member', 'Instance', 'Client', 'Host', 'Assignments'],
        ms.map((m) => [el('code', m.member_id), m.group_instance_id || '–', m.client_id, m.client_host,
          assignments(m)]), { testid: 'members-table' }));
    const os = g.offsets || [];
    clear(offsets, os.length === 0 ? el('p.muted', 'No committed offsets.')
      : table(['Topic', 'Partition', 'Committed', 'End offset', 'Lag'],
        os.map((o) => [link(`#/topics/${enc(o.topic)}`, o.topic), String(o.partition), count(o.committed),
          count(o.end_offset), el('span', { testid: 'partition-lag' }, count(o.lag))]), { testid: 'offsets-table' }));
    chart.push([g.lag ?? 0]);
  };
  const stream = status.stream(`group ${id}`);
  const handlers = {
    group(g) {
      stream('live');
      draw(g);
    },
    // The group went away while watched; `group` events resume if it comes back.
    error(e) {
      status.error(new Error(e.error || `group ${id} is gone`));
    },
  };
  life.add(live(`/api/groups/${enc(id)}/stream`, handlers, stream));
  return life.end;
}
