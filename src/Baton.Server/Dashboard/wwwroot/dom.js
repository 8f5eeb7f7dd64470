// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript modules, no build step, no dependencies.
// The page's small helpers: elements, announcements, formats, problems.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function announce(text) {
  const region = $('announcer');
  region.textContent = '';
  // A change the screen reader can tell: set after clearing, on the next frame.
  requestAnimationFrame(() => { region.textContent = text; });
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function durationOf(startedAt, endedAt) {
  if (!startedAt) return null;
  const end = endedAt ? new Date(endedAt).getTime() : Date.now();
  return end - new Date(startedAt).getTime();
}

export const tokensOf = (usage) => usage ? (usage.inputTokens || 0) + (usage.outputTokens || 0) : 0;
export const formatTokens = (usage) => tokensOf(usage).toLocaleString();
export const formatCost = (usage) => usage && usage.cost ? `$${Number(usage.cost).toFixed(4)}` : '$0';
export const showValue = (value) => value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);

export function statusBadge(status) {
  return el('span', { class: `status ${status}`, text: status });
}

export function showProblems(target, error) {
  target.replaceChildren();
  if (!error) return;
  target.append(el('p', { text: error.message }));
  if (error.problems && error.problems.length > 0) {
    target.append(el('ul', {}, error.problems.map((p) => el('li', { text: p }))));
  }
}

export function setConnection(text) {
  $('connection').textContent = text;
}
