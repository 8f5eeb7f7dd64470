// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript modules, no build step, no dependencies.
// The API: JSON requests and event streams, both carrying the token the page was given.
import { $ } from './dom.js';

const TOKEN_KEY = 'baton.token';
const tokenWaiters = [];

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error.message : `the server answered ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : null;
    this.problems = body && body.error && body.error.problems ? body.error.problems : [];
  }
}

export function headers(extra) {
  const result = Object.assign({}, extra);
  const token = currentToken();
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

/** The token requests carry now (null before the person gave one). */
function currentToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * A request sent with token `sent` was refused (401): asks for a token and waits for it — unless one was given since
 * that request went out (several requests refused together, answered after the person typed it): then it goes again.
 */
export function waitForToken(sent) {
  if (currentToken() !== sent) return Promise.resolve();
  $('token-panel').hidden = false;
  $('token-input').focus();
  return new Promise((resolve) => tokenWaiters.push(resolve));
}

export async function api(method, path, body) {
  for (;;) {
    const sent = currentToken();
    const response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) { await waitForToken(sent); continue; }
    const type = response.headers.get('Content-Type') || '';
    const data = response.status === 204 ? null : type.includes('json') ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
}

// An event stream read with fetch: past events, then live ones; on a dropped connection it reconnects from the
// last id it read (Last-Event-ID), so nothing is lost or repeated. Ends when the server ends it (the run ended).
export class EventStream {
  constructor(path, onEvent, onState) {
    this.path = path;
    this.onEvent = onEvent;
    this.onState = onState || (() => {});
    this.lastId = null;
    this.controller = null;
    this.closed = false;
    this.retry = 1000;
    this.run();
  }

  close() {
    this.closed = true;
    if (this.controller) this.controller.abort();
  }

  async run() {
    while (!this.closed) {
      this.controller = new AbortController();
      let ended = false;
      try {
        const extra = { Accept: 'text/event-stream' };
        if (this.lastId !== null) extra['Last-Event-ID'] = this.lastId;
        const sent = currentToken();
        const response = await fetch(this.path, { headers: headers(extra), signal: this.controller.signal, cache: 'no-store' });
        if (response.status === 401) { await waitForToken(sent); continue; }
        if (response.status === 204) { ended = true; }
        else if (!response.ok) { throw new Error(`the event stream answered ${response.status}`); }
        else {
          this.onState('live');
          this.retry = 1000;
          await this.read(response.body);
          ended = true;
        }
      } catch (error) {
        if (this.closed) return;
        this.onState('reconnecting');
      }
      if (this.closed) return;
      if (ended) { this.onState('ended'); return; }
      await new Promise((resolve) => setTimeout(resolve, this.retry));
      this.retry = Math.min(this.retry * 2, 15000);
    }
  }

  async read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let id = null;
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) {
            if (id !== null) this.lastId = id;
            try { this.onEvent(JSON.parse(data.join('\n')), id); } catch (error) { console.error(error); }
          }
          id = null;
          data = [];
        } else if (line.startsWith('id:')) {
          id = line.slice(3).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
      }
    }
  }
}

// Coalesces bursts of events into one refresh; a refresh asked for while one runs follows it.
export function refresher(work, delay = 60) {
  let running = false;
  let again = false;
  let timer = null;
  const go = async () => {
    timer = null;
    if (running) { again = true; return; }
    running = true;
    try { await work(); } catch (error) { console.error(error); }
    running = false;
    if (again) { again = false; schedule(); }
  };
  const schedule = () => { if (timer === null) timer = setTimeout(go, delay); };
  return schedule;
}

/** Keeps the token the person typed (for this tab) and lets the requests that waited for it go on. */
export function provideToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token-panel').hidden = true;
  for (const resolve of tokenWaiters.splice(0)) resolve();
}
