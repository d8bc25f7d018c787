// pages/common.js — what several pages share: a notice line for the state of a stream or a load
// (connecting, live, missing endpoint, error), and a guard for results that arrive after the user
// has left the page.
import { clear, el } from '../dom.js';

// A line under a page heading that tells the reader where the data stands.
export function notice(testid) {
  const node = el('div.notice', { testid, dataset: { state: 'loading' } }, 'Loading…');
  const set = (state, text) => {
    node.dataset.state = state;
    node.className = `notice ${state}`;
    clear(node, text || '');
  };
  return {
    node,
    set,
    // onstate for api.live(): what each state means to the reader.
    stream(what) {
      return (state, error) => {
        if (state === 'live') set('live', '');
        else if (state === 'connecting') set('loading', `Connecting to ${what}…`);
        else if (state === 'missing')
          set('error', `Not found (404): ${error?.message || what}`);
        else set('error', error?.message || `${what}: connection lost; reconnecting…`);
      };
    },
    error(e) {
      set('error', e?.message || String(e));
    },
    clear() {
      set('ok', '');
    },
  };
}

// Tracks whether the page is still shown: results of slow requests are dropped after leaving.
export function lifetime() {
  const cleanups = [];
  const life = {
    alive: true,
    add(fn) {
      cleanups.push(fn);
      return fn;
    },
    end() {
      life.alive = false;
      for (const fn of cleanups.splice(0)) fn();
    },
  };
  return life;
}
