// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript modules, no build step, no dependencies.
// Event streams are read with fetch (not EventSource) so the bearer token can be sent, and resumed with Last-Event-ID.
import { $, setConnection } from './dom.js';
import { provideToken } from './api.js';
import { RunsView } from './runs-view.js';
import { RunView } from './run-view.js';

let view = null;

// #/ is the runs page, #/runs/{id} a run's page.
function route() {
  if (view && view.dispose) view.dispose();
  setConnection('connecting…');
  const main = $('main');
  const match = /^#\/runs\/([^/]+)$/.exec(location.hash);
  view = match ? new RunView(main, decodeURIComponent(match[1])) : new RunsView(main);
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('token-input').value.trim();
  $('token-input').value = '';
  provideToken(token);
});
window.addEventListener('hashchange', () => { route(); $('main').focus(); });
route();
