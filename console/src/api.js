// api.js — the JSON API and its live streams, as the pages use them. Errors come back as
// `ApiError` with the server's message, code and position (SQL), or "server unreachable"; live
// streams reconnect on their own after a server restart and say whether an endpoint is missing.

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', position = 0 } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.position = position;
  }
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const message = (body && body.error) || text || res.statusText;
    throw new ApiError(res.status === 404 && !(body && body.error) ? `not found: ${res.url}` : message, {
      status: res.status,
      code: (body && body.code) || '',
      position: (body && body.position) || 0,
    });
  }
  if (body === null) throw new ApiError(`the server answered ${res.status} without JSON`, { status: res.status });
  return body;
}

async function request(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError('the server is unreachable (is sluice running?)');
  }
  return parse(res);
}

export function getJson(url) {
  return request(url, { headers: { Accept: 'application/json' } });
}

export function runSql(sql) {
  return request('/api/sql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ sql }),
  });
}

export function enc(name) {
  return encodeURIComponent(name);
}

// Connection state shown in the nav: the worst of the open streams.
const streams = new Set();
let indicator = null;

export function setIndicator(node) {
  indicator = node;
  renderIndicator();
}

function renderIndicator() {
  if (!indicator) return;
  let state = 'idle';
  for (const s of streams) {
    if (s.state === 'down') state = 'down';
    else if (s.state === 'connecting' && state !== 'down') state = 'connecting';
    else if (s.state === 'live' && state === 'idle') state = 'live';
  }
  indicator.dataset.state = state;
  indicator.textContent = { idle: '', live: '● live', connecting: '○ connecting…', down: '○ reconnecting…' }[state];
}

const RETRY_MS = [500, 1000, 2000, 4000];

// Follows an SSE endpoint: `handlers[event](data)` for each event (data parsed as JSON),
// `onstate(state, error)` with 'connecting' | 'live' | 'down' | 'missing'. A stream the server
// closes or refuses is reopened with backoff; a 404 is reported as 'missing' and retried slowly (the
// endpoint may come with a newer server). Returns close().
export function live(url, handlers, onstate = () => {}) {
  const s = { state: 'connecting', source: null, timer: null, closed: false, failures: 0 };
  streams.add(s);

  const set = (state, error) => {
    s.state = state;
    renderIndicator();
    onstate(state, error);
  };

  const open = () => {
    if (s.closed) return;
    set('connecting');
    const source = new EventSource(url);
    s.source = source;
    source.onopen = () => {
      s.failures = 0;
      set('live');
    };
    for (const [event, fn] of Object.entries(handlers)) {
      source.addEventListener(event, (e) => {
        let data;
        try {
          data = JSON.parse(e.data);
        } catch {
          return;
        }
        fn(data);
      });
    }
    source.onerror = () => {
      if (s.closed) return;
      // EventSource retries by itself after a dropped connection; we take over to tell a missing
      // endpoint (404) from a server that is down, and to back off.
      source.close();
      diagnose();
    };
  };

  const diagnose = async () => {
    const ctrl = new AbortController();
    let status = 0;
    try {
      const res = await fetch(url, { signal: ctrl.signal, headers: { Accept: 'text/event-stream' } });
      status = res.status;
      if (!res.ok) {
        let message = `${res.status} ${res.statusText}`;
        try {
          message = (await res.json()).error || message;
        } catch {
          // not JSON
        }
        ctrl.abort();
        if (s.closed) return;
        if (res.status === 404) set('missing', new ApiError(message, { status: 404 }));
        else set('down', new ApiError(message, { status: res.status }));
      } else {
        ctrl.abort();
        if (s.closed) return;
        set('down', new ApiError('the live stream was interrupted; reconnecting'));
      }
    } catch {
      if (s.closed) return;
      set('down', new ApiError('the server is unreachable; reconnecting'));
    }
    const delay = status === 404 ? 5000 : RETRY_MS[Math.min(s.failures, RETRY_MS.length - 1)];
    s.failures++;
    s.timer = setTimeout(open, delay);
  };

  open();
  return () => {
    s.closed = true;
    clearTimeout(s.timer);
    if (s.source) s.source.close();
    streams.delete(s);
    renderIndicator();
  };
}
