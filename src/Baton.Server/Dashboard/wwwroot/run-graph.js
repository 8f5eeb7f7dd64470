// Baton dashboard: a client of the HTTP API (docs/server.md). Plain JavaScript modules, no build step, no dependencies.
// A run's graph: the workflow's steps in layers, nested scopes inside their step, each step coloured by the run's steps.
import { $, el } from './dom.js';

export class RunGraph {
  constructor(view) {
    this.view = view;
    this.nodes = [];
  }

  /** Draws a graph (from GET /api/runs/{id}/graph?format=json) into #graph. */
  render(graph) {
    this.nodes = [];
    const root = this.renderScope(graph, [], null, true);
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
    const byName = new Map();
    for (const child of step.children) {
      const scope = this.renderScope(child, chain, child.name, false);
      const branch = el('div', { class: 'branch', 'data-name': child.name },
        el('div', { class: 'branch-name', text: child.dependsOn ? `${child.name} (after ${child.dependsOn.join(', ')})` : child.name }), scope);
      byName.set(child.name, branch);
      branches.append(branch);
    }
    // A conversation's speakers pass it on at run time: dotted edges between them show who may pass it to whom.
    if (step.conversation && step.conversation.length > 0) {
      branches.graphEdges = step.conversation.map((c) => ({ from: c.from, to: c.to, label: c.kind, error: false, back: false, conversation: true }));
      branches.graphElements = byName;
      branches.classList.add('conversation');
    }
    group.append(branches);
    node.group = group;
    return { box: group, anchor: button };
  }

  selectNode(node) {
    if (node.steps.length === 0) {
      this.view.selected = null;
      this.view.renderStep();
      $('step-hint').hidden = false;
      $('step-hint').textContent = `${node.chain[node.chain.length - 1].id} has not started.`;
      return;
    }
    // The latest activation (a loop's last visit, a foreach's last item).
    this.view.select(node.steps[node.steps.length - 1].path);
  }

  // Finds the graph node of each report step: by the chain of step ids from the top (and child names, where the
  // report's path names the same branch), so a branch's step or a loop's visit lights the node it runs.
  colourGraph() {
    if (!this.view.report || this.nodes.length === 0) return;
    const byPath = new Map(this.view.report.steps.map((s) => [s.path, s]));
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
    for (const step of this.view.report.steps) {
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
      target.setAttribute('aria-pressed', String(node.steps.some((s) => s.path === this.view.selected)));
    }
  }

  drawEdges() {
    for (const scope of document.querySelectorAll('#graph .scope, #graph .branches')) {
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
        if (edge.conversation) {
          // Speakers sit side by side: an arc below them, deeper going left than going right, so a pair's two ways part.
          const ya = a.bottom - origin.top;
          const yb = b.bottom - origin.top;
          const bend = Math.max(ya, yb) + (b.left >= a.left ? 20 : 44);
          d = `M ${x1 - 6} ${ya} C ${x1 - 6} ${bend}, ${x2 + 6} ${bend}, ${x2 + 6} ${yb}`;
          lx = (x1 + x2) / 2 - 20;
          ly = bend - 2;
        } else if (edge.back || y2 <= y1) {
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
        else if (edge.conversation) path.setAttribute('class', 'conversation');
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
