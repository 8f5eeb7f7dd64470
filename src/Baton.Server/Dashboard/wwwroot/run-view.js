// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript modules, no build step, no dependencies.
// A run's page: its facts, controls, questions, graph, timeline, step panel and events, live over its event stream.
import { $, el, announce, formatTime, formatDuration, durationOf, formatTokens, formatCost, showValue, statusBadge, showProblems, setConnection } from './dom.js';
import { api, EventStream, refresher } from './api.js';
import { RunGraph } from './run-graph.js';

export class RunView {
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
    this.lastStatus = null;
    this.refresh = refresher(() => this.load());
    $('run-id').textContent = runId;
    $('resume-button').addEventListener('click', () => this.control('resume'));
    $('cancel-button').addEventListener('click', () => this.control('cancel'));
    $('fork-toggle').addEventListener('click', () => this.toggleFork());
    $('fork-form').addEventListener('submit', (e) => { e.preventDefault(); this.fork(); });
    this.graphView = new RunGraph(this);
    this.resizer = new ResizeObserver(() => this.graphView.drawEdges());
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
    this.graphView.colourGraph();
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
    for (const node of this.graphView.nodes) node.element.setAttribute('aria-pressed', String(node.steps.some((s) => s.path === path)));
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
    this.graphView.render(this.graph);
  }
}
