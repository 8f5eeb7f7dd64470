// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript modules, no build step, no dependencies.
// The runs page: the table of runs, live over the feed of every run, and the form that starts one.
import { $, el, announce, formatTime, formatDuration, durationOf, formatTokens, formatCost, statusBadge, showProblems, setConnection } from './dom.js';
import { api, EventStream, refresher } from './api.js';

export class RunsView {
  constructor(main) {
    main.replaceChildren($('runs-view').content.cloneNode(true));
    document.title = 'Runs · Baton';
    this.workflows = [];
    // Every run's events come here: a busy server would reload the table for each, so at most ~3 times a second.
    this.refresh = refresher(() => this.loadRuns(), 300);
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
