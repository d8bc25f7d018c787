// main.js — the console's shell: hash routes to pages, the nav, and a page-level error box so a
// failure always shows a message, never a blank screen. Each page is `render(root, params)` and
// returns a cleanup function (closing its live streams) run when the route changes.
import './style.css';
import { setIndicator } from './api.js';
import { clear, el } from './dom.js';
import { overview } from './pages/overview.js';
import { topicList, topicPage } from './pages/topics.js';
import { groupList, groupPage } from './pages/groups.js';
import { sqlPage, viewPage } from './pages/sql.js';
import { pipelines } from './pages/pipelines.js';
import { trace } from './pages/trace.js';

const routes = [
  [/^\/?$/, 'overview', overview],
  [/^\/topics$/, 'topics', topicList],
  [/^\/topics\/(.+)$/, 'topics', topicPage],
  [/^\/groups$/, 'groups', groupList],
  [/^\/groups\/(.+)$/, 'groups', groupPage],
  [/^\/sql$/, 'sql', sqlPage],
  [/^\/views\/(.+)$/, 'sql', viewPage],
  [/^\/pipelines$/, 'pipelines', pipelines],
  [/^\/trace$/, 'trace', trace],
];

const page = document.getElementById('page');
setIndicator(document.querySelector('[data-testid=connection]'));
let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

export function showError(root, error) {
  root.append(el('div.error', { testid: 'page-error', role: 'alert' }, error?.message || String(error)));
}

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // a page that failed to clean up must not keep the next one from showing
    }
    cleanup = null;
  }
  const { path, query } = parseHash();
  const match = routes.find(([re]) => re.test(path));
  for (const a of document.querySelectorAll('.nav a')) a.classList.toggle('active', a.dataset.route === match?.[1]);
  clear(page);
  if (!match) {
    page.append(el('h1', 'Not found'), el('p', { testid: 'not-found' }, `No console page at ${path}.`));
    return;
  }
  const params = path.match(match[0]).slice(1).map(decodeURIComponent);
  try {
    cleanup = (await match[2](page, params, query)) || null;
  } catch (e) {
    showError(page, e);
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (e) => showError(page, e.reason));
route();
