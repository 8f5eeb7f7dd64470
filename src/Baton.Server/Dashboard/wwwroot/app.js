// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript, no build step, no dependencies.
// Event streams are read with fetch (not EventSource) so the bearer token can be sent, and resumed with Last-Event-ID.
'use strict';

(() => {
  const TOKEN_KEY = 'baton.token';
  const $ = (id) => document.getElementById(id);
  const state = { view: null, feed: null, tokenWaiters: [] };

  // ---- small helpers -------------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
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

  function announce(text) {
    const region = $('announcer');
    region.textContent = '';
    // A change the screen reader can tell: set after clearing, on the next frame.
    requestAnimationFrame(() => { region.textContent = text; });
  }

  function formatTime(iso) {
    if (!iso) return '—';
    const date = new Date(iso);
    const today = new Date();
    const sameDay = date.toDateString() === today.toDateString();
    return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
    if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  function durationOf(startedAt, endedAt) {
    if (!startedAt) return null;
    const end = endedAt ? new Date(endedAt).getTime() : Date.now();
    return end - new Date(startedAt).getTime();
  }

  const tokensOf = (usage) => usage ? (usage.inputTokens || 0) + (usage.outputTokens || 0) : 0;
  const formatTokens = (usage) => tokensOf(usage).toLocaleString();
  const formatCost = (usage) => usage && usage.cost ? `$${Number(usage.cost).toFixed(4)}` : '$0';
  const showValue = (value) => value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);

  function statusBadge(status) {
    return el('span', { class: `status ${status}`, text: status });
  }

  // ---- the API ---------------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super(body && body.error ? body.error.message : `the server answered ${status}`);
      this.status = status;
      this.code = body && body.error ? body.error.code : null;
      this.problems = body && body.error && body.error.problems ? body.error.problems : [];
    }
  }

  function headers(extra) {
    const result = Object.assign({}, extra);
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) result.Authorization = `Bearer ${token}`;
    return result;
  }

  function waitForToken() {
    $('token-panel').hidden = false;
    $('token-input').focus();
    return new Promise((resolve) => state.tokenWaiters.push(resolve));
  }

  async function api(method, path, body) {
    for (;;) {
      const response = await fetch(path, {
        method,
        headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status === 401) { await waitForToken(); continue; }
      const type = response.headers.get('Content-Type') || '';
      const data = response.status === 204 ? null : type.includes('json') ? await response.json() : await response.text();
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }
  }

  // An event stream read with fetch: past events, then live ones; on a dropped connection it reconnects from the
  // last id it read (Last-Event-ID), so nothing is lost or repeated. Ends when the server ends it (the run ended).
  class EventStream {
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
          const response = await fetch(this.path, { headers: headers(extra), signal: this.controller.signal, cache: 'no-store' });
          if (response.status === 401) { await waitForToken(); continue; }
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
  function refresher(work) {
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
    const schedule = () => { if (timer === null) timer = setTimeout(go, 60); };
    return schedule;
  }

  function showProblems(target, error) {
    target.replaceChildren();
    if (!error) return;
    target.append(el('p', { text: error.message }));
    if (error.problems && error.problems.length > 0) {
      target.append(el('ul', {}, error.problems.map((p) => el('li', { text: p }))));
    }
  }

  // ---- routing ---------------------------------------------------------------------------------------------------

  function route() {
    if (state.view && state.view.dispose) state.view.dispose();
    setConnection('connecting…');
    const main = $('main');
    const match = /^#\/runs\/([^/]+)$/.exec(location.hash);
    state.view = match ? new RunView(main, decodeURIComponent(match[1])) : new RunsView(main);
  }

  function setConnection(text) {
    $('connection').textContent = text;
  }

  // ---- the runs page ---------------------------------------------------------------------------------------------

  class RunsView {
    constructor(main) {
      main.replaceChildren($('runs-view').content.cloneNode(true));
      document.title = 'Runs · Baton';
      this.workflows = [];
      this.refresh = refresher(() => this.loadRuns());
      this.ticker = setInterval(() => this.tickDurations(), 1000);
      this.runs = [];
      $('start-form').addEventListener('submit', (e) => { e.preventDefault(); this.start(); });
      $('start-workflow').addEventListener('change', () => this.showInputs());
      $('runs-status').addEventListener('change', () => this.refresh());
      $('runs-workflow').addEventListener('change', () => this.refresh());
      // The feed of every run's changes: the table reloads when one starts, moves or ends.
      this.feed = new EventStream('/api/events', () => this.refresh(), (s) => setConnection(s === 'live' ? 'live' : s));
      this.loadWorkflows();
      this.refresh();
    }

    dispose() {
      this.feed.close();
      clearInterval(this.ticker);
    }

    async loadWorkflows() {
      try {
        this.workflows = await api('GET', '/api/workflows');
      } catch (error) {
        showProblems($('start-problems'), error);
        return;
      }
      const select = $('start-workflow');
      const filter = $('runs-workflow');
      select.replaceChildren(...this.workflows.map((w) => el('option', { value: w.name, text: w.name })));
      filter.append(...this.workflows.map((w) => el('option', { value: w.name, text: w.name })));
      if (this.workflows.length === 0) {
        select.append(el('option', { value: '', text: 'no workflow files served' }));
        $('start-button').disabled = true;
      }
      this.showInputs();
    }

    showInputs() {
      const workflow = this.workflows.find((w) => w.name === $('start-workflow').value);
      const fieldset = $('start-inputs');
      fieldset.replaceChildren(el('legend', { text: 'Inputs' }));
      $('start-description').textContent = workflow && workflow.description ? workflow.description : '';
      const inputs = workflow ? Object.entries(workflow.inputs || {}) : [];
      fieldset.hidden = inputs.length === 0;
      for (const [name, input] of inputs) {
        const id = `input-${name}`;
        const type = input.type || 'string';
        const hint = `${type}${input.required ? ', required' : ''}${input.default !== null && input.default !== undefined ? `, default ${JSON.stringify(input.default)}` : ''}`;
        let control;
        if (type === 'boolean') {
          control = el('input', { id, name, type: 'checkbox', 'data-type': type });
          if (input.default === true) control.checked = true;
          fieldset.append(el('div', { class: 'field check' }, control, el('label', { for: id, text: name }), el('span', { class: 'hint', text: hint })));
          continue;
        }
        if (type === 'object' || type === 'array') {
          control = el('textarea', { id, name, class: 'mono', 'data-type': type, 'aria-describedby': `${id}-hint` });
          if (input.default !== null && input.default !== undefined) control.value = JSON.stringify(input.default);
        } else {
          control = el('input', { id, name, type: type === 'number' || type === 'integer' ? 'number' : 'text', step: type === 'number' ? 'any' : null, 'data-type': type, 'aria-describedby': `${id}-hint`, required: input.required ? true : null });
          if (input.default !== null && input.default !== undefined) control.placeholder = String(input.default);
        }
        fieldset.append(el('div', { class: 'field' }, el('label', { for: id, text: name }), control, el('span', { class: 'hint', id: `${id}-hint`, text: hint })));
      }
    }

    readInputs() {
      const inputs = {};
      const problems = [];
      for (const control of $('start-inputs').querySelectorAll('[data-type]')) {
        const type = control.dataset.type;
        if (type === 'boolean') { inputs[control.name] = control.checked; continue; }
        const text = control.value.trim();
        if (text === '') continue;
        if (type === 'number' || type === 'integer') {
          const number = Number(text);
          if (Number.isNaN(number)) problems.push(`input '${control.name}' must be a number`);
          else inputs[control.name] = number;
        } else if (type === 'object' || type === 'array') {
          try { inputs[control.name] = JSON.parse(text); } catch { problems.push(`input '${control.name}' is not JSON`); }
        } else {
          inputs[control.name] = control.value;
        }
      }
      return { inputs, problems };
    }

    async start() {
      const button = $('start-button');
      const problemsBox = $('start-problems');
      const { inputs, problems } = this.readInputs();
      if (problems.length > 0) {
        showProblems(problemsBox, { message: 'The inputs are not valid', problems });
        return;
      }
      button.disabled = true;
      try {
        const started = await api('POST', '/api/runs', { workflow: $('start-workflow').value, inputs });
        showProblems(problemsBox, null);
        announce(`Run ${started.runId} started`);
        location.hash = `#/runs/${encodeURIComponent(started.runId)}`;
      } catch (error) {
        showProblems(problemsBox, error);
      } finally {
        button.disabled = false;
      }
    }

    async loadRuns() {
      const query = new URLSearchParams({ limit: '100', include: 'usage' });
      if ($('runs-status').value) query.set('status', $('runs-status').value);
      if ($('runs-workflow').value) query.set('workflow', $('runs-workflow').value);
      this.runs = await api('GET', `/api/runs?${query}`);
      const body = $('runs-table').querySelector('tbody');
      body.replaceChildren(...this.runs.map((run) => el('tr', { 'data-run': run.runId },
        el('td', {}, el('a', { href: `#/runs/${encodeURIComponent(run.runId)}`, class: 'mono', text: `${run.runId.slice(0, 12)}…`, title: run.runId })),
        el('td', { text: run.workflow }),
        el('td', {}, statusBadge(run.status)),
        el('td', { text: formatTime(run.startedAt) }),
        el('td', { class: 'num duration', text: formatDuration(durationOf(run.startedAt, run.endedAt)) }),
        el('td', { class: 'num', text: formatTokens(run.usage) }),
        el('td', { class: 'num', text: formatCost(run.usage) }))));
      $('runs-empty').hidden = this.runs.length > 0;
    }

    tickDurations() {
      const rows = $('runs-table') ? $('runs-table').querySelectorAll('tbody tr') : [];
      rows.forEach((row, i) => {
        const run = this.runs[i];
        if (run && !run.endedAt && run.status === 'running') row.querySelector('.duration').textContent = formatDuration(durationOf(run.startedAt, null));
      });
    }
  }

  // ---- the run page ----------------------------------------------------------------------------------------------

  class RunView {
    constructor(main, runId) {
      main.replaceChildren($('run-view').content.cloneNode(true));
      document.title = `Run ${runId.slice(0, 12)} · Baton`;
      this.runId = runId;
      this.report = null;
      this.graph = null;
      this.selected = null;
      this.choices = new Map();
      // Steps the stream says started that the report does not list yet: a step is journaled when it ends, so a step
      // still running is known only from its event until then.
      this.live = new Map();
      this.nodes = [];
      this.lastStatus = null;
      this.refresh = refresher(() => this.load());
      $('run-id').textContent = runId;
      $('resume-button').addEventListener('click', () => this.control('resume'));
      $('cancel-button').addEventListener('click', () => this.control('cancel'));
      $('fork-toggle').addEventListener('click', () => this.toggleFork());
      $('fork-form').addEventListener('submit', (e) => { e.preventDefault(); this.fork(); });
      this.resizer = new ResizeObserver(() => this.drawEdges());
      this.resizer.observe($('graph'));
      this.ticker = setInterval(() => this.tick(), 1000);
      this.load().then(() => this.follow());
      this.loadGraph();
    }

    dispose() {
      if (this.stream) this.stream.close();
      this.resizer.disconnect();
      clearInterval(this.ticker);
    }

    follow() {
      if (this.stream) this.stream.close();
      this.stream = new EventStream(`/api/runs/${encodeURIComponent(this.runId)}/events`, (e, id) => this.onEvent(e, id), (s) => setConnection(s === 'live' ? 'live' : s === 'ended' ? 'run ended' : s));
    }

    onEvent(event, id) {
      if (event.type === 'stepWaiting' && event.path) this.choices.set(event.path, event.choices || null);
      if (event.type === 'stepStarted' && event.path && !this.live.has(event.path)) {
        this.live.set(event.path, {
          id: event.id, path: event.path, parent: event.parent, agent: event.agent, status: 'running', attempts: 0,
          startedAt: event.time, endedAt: null, output: null, error: null, usage: { inputTokens: 0, outputTokens: 0, cost: 0 },
        });
      }
      if ((event.type === 'stepCompleted' || event.type === 'stepFailed') && event.path) this.live.delete(event.path);
      if (event.type === 'runEnded') {
        // What was still running ended with the run (cancelled, failed).
        for (const step of this.live.values()) { step.status = event.status; step.endedAt = event.time; }
      }
      const line = [event.type, event.path, event.status].filter(Boolean).join(' ');
      const list = $('events');
      list.append(el('li', { 'data-id': id || '' }, `${id || '·'} ${formatTime(event.time)} ${line}`));
      while (list.children.length > 300) list.firstElementChild.remove();
      list.scrollTop = list.scrollHeight;
      this.refresh();
    }

    async load() {
      try {
        this.report = await api('GET', `/api/runs/${encodeURIComponent(this.runId)}?include=input,entry`);
      } catch (error) {
        showProblems($('run-problems'), error);
        this.loadFailed = true;
        return;
      }
      if (this.loadFailed) { showProblems($('run-problems'), null); this.loadFailed = false; }
      const report = this.report;
      const listed = new Set(report.steps.map((s) => s.path));
      for (const path of [...this.live.keys()]) if (listed.has(path)) this.live.delete(path);
      if (this.live.size > 0) {
        report.steps = report.steps.concat([...this.live.values()]).sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
      }
      if (this.lastStatus !== null && this.lastStatus !== report.status) announce(`Run ${report.status}`);
      this.lastStatus = report.status;
      $('run-workflow').textContent = report.workflow;
      const status = $('run-status');
      status.className = `status ${report.status}`;
      status.textContent = report.status;
      const first = report.steps.length > 0 ? report.steps[0].startedAt : null;
      this.startedAt = first;
      $('run-started').textContent = formatTime(first);
      $('run-tokens').textContent = formatTokens(report.usage);
      $('run-cost').textContent = formatCost(report.usage);
      $('run-output').textContent = showValue(report.output) || '—';
      $('run-error-block').hidden = !report.error;
      $('run-error').textContent = report.error ? `${report.error.code || report.error.kind}: ${report.error.message}` : '';
      const ended = ['succeeded', 'failed', 'cancelled'].includes(report.status);
      $('cancel-button').disabled = ended;
      $('resume-button').disabled = report.status === 'succeeded' || report.status === 'cancelled';
      // A graph that could not be had before the run was known (a run this page saw start) is asked for again.
      if (this.graph === null && !this.graphLoading) this.loadGraph();
      this.tick();
      this.renderForkChoices();
      this.renderQuestions();
      this.renderTimeline();
      this.colourGraph();
      this.renderStep();
    }

    tick() {
      const report = this.report;
      if (!report) return;
      const ended = ['succeeded', 'failed', 'cancelled'].includes(report.status);
      const last = report.steps.reduce((max, s) => (s.endedAt && s.endedAt > max ? s.endedAt : max), '');
      $('run-duration').textContent = formatDuration(durationOf(this.startedAt, ended || report.status === 'waiting' ? last || null : null));
    }

    // -- controls

    async control(action) {
      const problems = $('run-problems');
      try {
        await api('POST', `/api/runs/${encodeURIComponent(this.runId)}/${action}`, {});
        showProblems(problems, null);
        announce(action === 'cancel' ? 'Run cancelled' : 'Run resumed');
        if (action === 'resume') this.follow();
        this.refresh();
      } catch (error) {
        showProblems(problems, error);
      }
    }

    toggleFork() {
      const form = $('fork-form');
      form.hidden = !form.hidden;
      $('fork-toggle').setAttribute('aria-expanded', String(!form.hidden));
      if (!form.hidden) $('fork-at').focus();
    }

    renderForkChoices() {
      const select = $('fork-at');
      const current = select.value;
      const options = [el('option', { value: '1', text: 'the start (run again with the same input)' })];
      for (const step of this.report.steps) {
        if (step.entry) options.push(el('option', { value: String(step.entry), text: `${step.path} (${step.status}, entry ${step.entry})` }));
      }
      select.replaceChildren(...options);
      if ([...select.options].some((o) => o.value === current)) select.value = current;
    }

    async fork() {
      const problems = $('run-problems');
      let stateEdits;
      const text = $('fork-state').value.trim();
      if (text) {
        try { stateEdits = JSON.parse(text); } catch { showProblems(problems, { message: 'The state must be a JSON object' }); return; }
      }
      try {
        const forked = await api('POST', `/api/runs/${encodeURIComponent(this.runId)}/fork`, { at: Number($('fork-at').value), state: stateEdits });
        announce(`Forked as run ${forked.runId}`);
        location.hash = `#/runs/${encodeURIComponent(forked.runId)}`;
      } catch (error) {
        showProblems(problems, error);
      }
    }

    // -- questions

    renderQuestions() {
      const waiting = this.report.steps.filter((s) => s.status === 'waiting');
      const box = $('questions');
      const list = $('question-list');
      box.hidden = waiting.length === 0;
      const shown = new Set([...list.querySelectorAll('[data-path]')].map((q) => q.dataset.path));
      // A question already shown keeps its form (and what the user typed); new ones are added, answered ones go.
      for (const q of [...list.querySelectorAll('[data-path]')]) {
        if (!waiting.some((s) => s.path === q.dataset.path)) q.remove();
      }
      waiting.forEach((step, index) => {
        if (shown.has(step.path)) {
          this.updateChoices(list.querySelector(`[data-path="${CSS.escape(step.path)}"]`), step);
          return;
        }
        list.append(this.questionForm(step, index));
      });
    }

    questionForm(step, index) {
      const id = `q${index}-${Date.now()}`;
      const form = el('form', { class: 'question', 'data-path': step.path, 'aria-labelledby': `${id}-prompt` },
        el('p', { id: `${id}-prompt` }, el('strong', { text: `${step.path}: ` }), step.question || 'waiting for an answer'),
        el('div', { class: 'answer-controls' }),
        el('div', { class: 'problems', role: 'alert' }));
      form.dataset.id = id;
      this.updateChoices(form, step);
      form.addEventListener('submit', (e) => { e.preventDefault(); this.answer(form); });
      return form;
    }

    updateChoices(form, step) {
      const choices = this.choices.get(step.path) || null;
      const key = JSON.stringify(choices);
      if (form.dataset.choices === key) return;
      form.dataset.choices = key;
      const id = form.dataset.id;
      const controls = form.querySelector('.answer-controls');
      const submit = el('button', { type: 'submit', class: 'primary', text: 'Answer' });
      if (choices && choices.length > 0) {
        const group = el('fieldset', { class: 'choices' }, el('legend', { class: 'visually-hidden', text: `Answer to ${step.path}` }),
          choices.map((choice, i) => el('label', {}, el('input', { type: 'radio', name: `${id}-choice`, value: choice, required: true, checked: i === 0 ? true : null }), choice)));
        controls.replaceChildren(el('div', { class: 'row' }, group, submit));
      } else {
        controls.replaceChildren(el('div', { class: 'row' },
          el('div', { class: 'field' }, el('label', { for: `${id}-text`, text: 'Answer' }), el('input', { id: `${id}-text`, type: 'text', required: true, name: 'answer' })),
          submit));
      }
    }

    async answer(form) {
      const checked = form.querySelector('input[type="radio"]:checked');
      const text = form.querySelector('input[type="text"]');
      const value = checked ? checked.value : text ? text.value : '';
      const problems = form.querySelector('.problems');
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        await api('POST', `/api/runs/${encodeURIComponent(this.runId)}/answer`, { value });
        showProblems(problems, null);
        announce('Answer sent');
        form.remove();
        this.refresh();
      } catch (error) {
        showProblems(problems, error);
        button.disabled = false;
      }
    }

    // -- timeline

    renderTimeline() {
      const steps = this.report.steps;
      const box = $('timeline');
      if (steps.length === 0) {
        box.replaceChildren(el('div', { role: 'listitem', class: 'muted', text: 'No step has started yet.' }));
        return;
      }
      const now = Date.now();
      const start = Math.min(...steps.map((s) => new Date(s.startedAt).getTime()));
      const end = Math.max(start + 1, ...steps.map((s) => (s.endedAt ? new Date(s.endedAt).getTime() : s.status === 'running' ? now : new Date(s.startedAt).getTime())));
      const span = end - start;
      const depth = new Map();
      $('timeline-axis').replaceChildren(el('span', { text: 'step' }),
        el('span', { class: 'ticks' }, el('span', { text: '0' }), el('span', { text: formatDuration(span / 2) }), el('span', { text: formatDuration(span) })));
      const rows = [];
      for (const step of steps) {
        const level = step.parent ? (depth.get(step.parent) || 0) + 1 : 0;
        depth.set(step.path, level);
        const from = new Date(step.startedAt).getTime() - start;
        const to = (step.endedAt ? new Date(step.endedAt).getTime() : step.status === 'running' ? now : new Date(step.startedAt).getTime()) - start;
        const bar = el('span', { class: `tl-bar ${step.status}` });
        bar.style.left = `${(from / span) * 100}%`;
        bar.style.width = `${Math.max(0.3, ((to - from) / span) * 100)}%`;
        const label = el('span', { class: 'tl-label', text: step.path });
        label.style.paddingLeft = `${level * 0.9}rem`;
        const row = el('button', {
          type: 'button', class: 'tl-row', 'data-path': step.path,
          'aria-pressed': String(this.selected === step.path),
          'aria-label': `${step.path}: ${step.status}, ${formatDuration(to - from)}`,
          onclick: () => this.select(step.path),
        }, label, el('span', { class: 'tl-track' }, bar));
        rows.push(el('div', { role: 'listitem' }, row));
      }
      box.replaceChildren(...rows);
    }

    // -- step panel

    select(path) {
      this.selected = path;
      this.renderStep();
      for (const row of document.querySelectorAll('.tl-row')) row.setAttribute('aria-pressed', String(row.dataset.path === path));
      for (const node of this.nodes) node.element.setAttribute('aria-pressed', String(node.steps.some((s) => s.path === path)));
    }

    renderStep() {
      const step = this.report && this.selected ? this.report.steps.find((s) => s.path === this.selected) : null;
      $('step-hint').hidden = !!step;
      $('step-body').hidden = !step;
      if (!step) {
        $('step-title').textContent = 'Step';
        return;
      }
      $('step-title').textContent = `Step ${step.id}`;
      $('step-path').textContent = step.path;
      $('step-agent').textContent = step.agent || '—';
      $('step-status').replaceChildren(statusBadge(step.status));
      $('step-attempts').textContent = String(step.attempts);
      $('step-started').textContent = formatTime(step.startedAt);
      $('step-duration').textContent = formatDuration(durationOf(step.startedAt, step.endedAt));
      $('step-tokens').textContent = `${formatTokens(step.usage)} (${(step.usage && step.usage.inputTokens) || 0} in, ${(step.usage && step.usage.outputTokens) || 0} out)`;
      $('step-cost').textContent = formatCost(step.usage);
      $('step-input').textContent = 'input' in step ? showValue(step.input) || '(empty)' : '(not recorded: the first step of a branch or item, or one reached by an error route)';
      $('step-output').textContent = step.status === 'waiting' ? `waiting: ${step.question || ''}` : showValue(step.output) || '—';
      $('step-error-block').hidden = !step.error;
      $('step-error').textContent = step.error ? `${step.error.code || step.error.kind}: ${step.error.message}` : '';
    }

    // -- graph

    async loadGraph() {
      this.graphLoading = true;
      try {
        this.graph = await api('GET', `/api/runs/${encodeURIComponent(this.runId)}/graph?format=json`);
      } catch (error) {
        $('graph').replaceChildren(el('p', { class: 'muted', text: `No graph: ${error.message}` }));
        // A run this server cannot rebuild has no graph; an unknown one may be known at the next look.
        if (error.status !== 404) this.graph = false;
        return;
      } finally {
        this.graphLoading = false;
      }
      this.nodes = [];
      const root = this.renderScope(this.graph, [], null, true);
      $('graph').replaceChildren(root);
      this.colourGraph();
      this.drawEdges();
    }

    // Lays a scope's steps out in layers: a step sits one layer below the deepest step leading to it (loops ignored).
    layers(scope) {
      const ids = scope.steps.map((s) => s.id);
      const out = new Map(ids.map((id) => [id, []]));
      for (const edge of scope.edges) if (edge.to !== null && out.has(edge.from) && out.has(edge.to)) out.get(edge.from).push(edge.to);
      const back = new Set();
      const seen = new Set();
      const stack = new Set();
      const visit = (id) => {
        seen.add(id);
        stack.add(id);
        for (const to of out.get(id)) {
          if (stack.has(to)) back.add(`${id}>${to}`);
          else if (!seen.has(to)) visit(to);
        }
        stack.delete(id);
      };
      if (out.has(scope.entry)) visit(scope.entry);
      for (const id of ids) if (!seen.has(id)) visit(id);
      const layer = new Map();
      const depthOf = (id, guard) => {
        if (layer.has(id)) return layer.get(id);
        if (guard.has(id)) return 0;
        guard.add(id);
        let d = 0;
        for (const from of ids) {
          if (out.get(from).includes(id) && !back.has(`${from}>${id}`)) d = Math.max(d, depthOf(from, guard) + 1);
        }
        layer.set(id, d);
        return d;
      };
      const rows = [];
      for (const id of ids) {
        const d = depthOf(id, new Set());
        (rows[d] = rows[d] || []).push(id);
      }
      return { rows: rows.filter(Boolean), back };
    }

    // Each node's chain: the step ids from the top down to it, each with the name of the child scope it sits in.
    renderScope(scope, chain, childName, top) {
      const box = el('div', { class: 'scope' });
      const byId = new Map(scope.steps.map((s) => [s.id, s]));
      const elements = new Map();
      const { rows, back } = this.layers(scope);
      if (top) box.append(el('div', { class: 'layer' }, elements.set('$start', el('span', { class: 'node terminal', 'aria-hidden': 'true', text: 'start' })).get('$start')));
      for (const row of rows) {
        const layer = el('div', { class: 'layer' });
        for (const id of row) {
          const step = byId.get(id);
          const stepChain = chain.concat([{ id, child: childName }]);
          const element = this.renderStepNode(step, stepChain);
          elements.set(id, element.anchor);
          layer.append(element.box);
        }
        box.append(layer);
      }
      if (top) box.append(el('div', { class: 'layer' }, elements.set('$end', el('span', { class: 'node terminal', 'aria-hidden': 'true', text: 'end' })).get('$end')));
      const edges = scope.edges.map((e) => ({ from: e.from, to: e.to === null ? (top ? '$end' : null) : e.to, label: e.label, error: e.error, back: back.has(`${e.from}>${e.to}`) }));
      if (top && scope.entry) edges.unshift({ from: '$start', to: scope.entry, label: null, error: false, back: false });
      if (top) {
        // A step with no way onward but the end, and no edge saying so, ends the workflow.
        for (const step of scope.steps) {
          const outgoing = scope.edges.filter((e) => e.from === step.id && !e.error);
          if (outgoing.length === 0) edges.push({ from: step.id, to: '$end', label: null, error: false, back: false });
        }
      }
      box.graphEdges = edges.filter((e) => e.to !== null);
      box.graphElements = elements;
      return box;
    }

    renderStepNode(step, chain) {
      const node = { chain, steps: [], element: null };
      const label = step.agent && step.agent !== step.id ? step.agent : null;
      const button = el('button', { type: 'button', class: 'node', 'aria-pressed': 'false', onclick: () => this.selectNode(node) },
        el('span', { class: 'name', text: step.id }),
        el('span', { class: 'sub', text: [label, step.kind !== 'agent' && step.kind !== step.id ? step.kind : null].filter(Boolean).join(' · ') || ' ' }),
        el('span', { class: 'sub state', text: 'not started' }));
      node.element = button;
      this.nodes.push(node);
      if (!step.children || step.children.length === 0) return { box: button, anchor: button };
      const group = el('div', { class: 'group' });
      button.classList.add('group-title');
      group.append(button);
      const branches = el('div', { class: 'branches' });
      for (const child of step.children) {
        const scope = this.renderScope(child, chain, child.name, false);
        branches.append(el('div', { class: 'branch', 'data-name': child.name },
          el('div', { class: 'branch-name', text: child.dependsOn ? `${child.name} (after ${child.dependsOn.join(', ')})` : child.name }), scope));
      }
      group.append(branches);
      node.group = group;
      return { box: group, anchor: button };
    }

    selectNode(node) {
      if (node.steps.length === 0) {
        this.selected = null;
        this.renderStep();
        $('step-hint').hidden = false;
        $('step-hint').textContent = `${node.chain[node.chain.length - 1].id} has not started.`;
        return;
      }
      // The latest activation (a loop's last visit, a foreach's last item).
      this.select(node.steps[node.steps.length - 1].path);
    }

    // Finds the graph node of each report step: by the chain of step ids from the top (and child names, where the
    // report's path names the same branch), so a branch's step or a loop's visit lights the node it runs.
    colourGraph() {
      if (!this.report || this.nodes.length === 0) return;
      const byPath = new Map(this.report.steps.map((s) => [s.path, s]));
      const chains = new Map();
      const chainOf = (step) => {
        if (chains.has(step.path)) return chains.get(step.path);
        const parent = step.parent ? byPath.get(step.parent) : null;
        let rest = parent ? step.path.slice(step.parent.length + 1) : step.path;
        const segments = rest.split('/');
        segments.pop();
        const own = { id: step.id, child: segments.length > 0 ? segments.join('/') : null };
        const chain = (parent ? chainOf(parent) : []).concat([own]);
        chains.set(step.path, chain);
        return chain;
      };
      const idsKey = (chain) => chain.map((c) => c.id).join('>');
      const fullKey = (chain) => chain.map((c) => `${c.child || ''}:${c.id}`).join('>');
      const exact = new Map();
      const loose = new Map();
      for (const node of this.nodes) {
        node.steps = [];
        exact.set(fullKey(node.chain), node);
        if (!loose.has(idsKey(node.chain))) loose.set(idsKey(node.chain), node);
      }
      for (const step of this.report.steps) {
        const chain = chainOf(step);
        const node = exact.get(fullKey(chain)) || loose.get(idsKey(chain));
        if (node) node.steps.push(step);
      }
      for (const node of this.nodes) {
        const statuses = node.steps.map((s) => s.status);
        const status = statuses.length === 0 ? 'pending'
          : statuses.includes('running') ? 'running'
            : statuses.includes('waiting') ? 'waiting'
              : statuses[statuses.length - 1];
        const target = node.element;
        target.classList.remove('pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'skipped');
        target.classList.add(status);
        if (node.group) {
          node.group.classList.remove('pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'skipped');
          node.group.classList.add(status);
        }
        const count = node.steps.length > 1 ? ` ×${node.steps.length}` : '';
        const text = status === 'pending' ? 'not started' : `${status}${count}`;
        target.querySelector('.state').textContent = text;
        target.dataset.status = status;
        target.setAttribute('aria-pressed', String(node.steps.some((s) => s.path === this.selected)));
      }
    }

    drawEdges() {
      for (const scope of document.querySelectorAll('#graph .scope')) {
        const old = scope.querySelector(':scope > svg.edges');
        if (old) old.remove();
        if (!scope.graphEdges || scope.graphEdges.length === 0) continue;
        const origin = scope.getBoundingClientRect();
        const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('class', 'edges');
        svg.setAttribute('aria-hidden', 'true');
        svg.setAttribute('width', String(scope.scrollWidth));
        svg.setAttribute('height', String(scope.scrollHeight));
        const defs = document.createElementNS(svg.namespaceURI, 'defs');
        const marker = document.createElementNS(svg.namespaceURI, 'marker');
        const id = `arrow-${Math.random().toString(36).slice(2)}`;
        marker.setAttribute('id', id);
        marker.setAttribute('viewBox', '0 0 10 10');
        marker.setAttribute('refX', '9');
        marker.setAttribute('refY', '5');
        marker.setAttribute('markerWidth', '7');
        marker.setAttribute('markerHeight', '7');
        marker.setAttribute('orient', 'auto-start-reverse');
        const tip = document.createElementNS(svg.namespaceURI, 'path');
        tip.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
        tip.setAttribute('fill', '#57606a');
        marker.append(tip);
        defs.append(marker);
        svg.append(defs);
        for (const edge of scope.graphEdges) {
          const from = scope.graphElements.get(edge.from);
          const to = scope.graphElements.get(edge.to);
          if (!from || !to) continue;
          const a = from.getBoundingClientRect();
          const b = to.getBoundingClientRect();
          const x1 = a.left + a.width / 2 - origin.left;
          const y1 = a.bottom - origin.top;
          const x2 = b.left + b.width / 2 - origin.left;
          const y2 = b.top - origin.top;
          const path = document.createElementNS(svg.namespaceURI, 'path');
          let d;
          let lx;
          let ly;
          if (edge.back || y2 <= y1) {
            // A loop back up: around the right side of both boxes.
            const right = Math.max(a.right, b.right) - origin.left + 24;
            const ya = a.top + a.height / 2 - origin.top;
            const yb = b.top + b.height / 2 - origin.top;
            d = `M ${a.right - origin.left} ${ya} C ${right} ${ya}, ${right} ${yb}, ${b.right - origin.left} ${yb}`;
            lx = right - 4;
            ly = (ya + yb) / 2;
          } else {
            const mid = (y1 + y2) / 2;
            d = `M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2}`;
            lx = (x1 + x2) / 2 + 4;
            ly = mid;
          }
          path.setAttribute('d', d);
          path.setAttribute('marker-end', `url(#${id})`);
          if (edge.error) path.setAttribute('class', 'error');
          svg.append(path);
          const text = edge.error ? 'error' : edge.label;
          if (text) {
            const label = document.createElementNS(svg.namespaceURI, 'text');
            label.setAttribute('x', String(lx));
            label.setAttribute('y', String(ly));
            label.textContent = text.length > 40 ? `${text.slice(0, 39)}…` : text;
            svg.append(label);
          }
        }
        scope.prepend(svg);
      }
    }
  }

  // ---- start -----------------------------------------------------------------------------------------------------

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
    $('token-input').value = '';
    $('token-panel').hidden = true;
    const waiters = state.tokenWaiters.splice(0);
    for (const resolve of waiters) resolve();
  });
  window.addEventListener('hashchange', () => { route(); $('main').focus(); });
  route();
})();
