// The network diagram: feature and unit heatmaps, links drawn with width
// proportional to |w| and coloured by sign, and the weight / bias editor.

import { BLUE, ORANGE, bytes, floats, paintHeatmap, rgb, divergingColour } from "./plots.js";
import { formatNumber } from "./trace.js";

const SVG = "http://www.w3.org/2000/svg";
const HEAD = 58; // room for the layer headers

function linkWidth(w) {
  return Math.min(0.6 + Math.abs(w) * 2.2, 10);
}

function element(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.append(node);
  return node;
}

export class NetworkView {
  // handlers: toggleFeature(key), units(position, delta), activation(position, name),
  // hover({li, row, layer} or null): a hidden unit's heatmap pointed at, or left
  constructor(container, handlers) {
    this.container = container;
    this.handlers = handlers;
    this.links = [];
    this.biases = [];
    this.unitCanvases = [];
    this.chosen = null;
  }

  build(setup, options) {
    this.close();
    this.setup = setup;
    const box = this.container;
    box.replaceChildren();
    const hidden = setup.layers.slice(0, -1);
    const columns = [setup.features.length, ...setup.layers.map((l) => l.n_out)];
    const rows = Math.max(...columns);
    const node = rows > 9 ? 24 : 32;
    const gap = rows > 9 ? 8 : 12;
    const width = Math.max(box.clientWidth, 520);
    const left = 70;
    const gaps = Math.max(columns.length - 1, 1);
    // A layer's header is as wide as its column allows, so that headers of
    // neighbouring layers never overlap (8 hidden layers in a narrow window),
    // and the output's header keeps inside the diagram: the columns leave
    // room on the right for the half of it that is wider than a unit.
    const heads = (step) => {
      const head = Math.min(node + 68, step - 6);
      return [head, Math.min(node + 60, head)];
    };
    const room = (step) => Math.max(0, (heads(step)[1] - node) / 2 - 10);
    const first = (width - left - node - 10) / gaps;
    const step = (width - left - node - 10 - room(first)) / gaps;
    const [head, outWidth] = heads(step);
    const x = (c) => left + c * step;
    const y = (i) => HEAD + i * (node + gap);
    box.style.height = `${y(rows) + 10}px`;
    this.geometry = { node, x, y, head };

    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", y(rows) + 10);
    box.append(svg);
    this.svg = svg;

    this.featureNodes = setup.features.map((feature, i) => {
      const holder = element("div", `node feature${feature.on ? "" : " off"}`, box);
      Object.assign(holder.style, { left: `${x(0)}px`, top: `${y(i)}px`, width: `${node}px`, height: `${node}px` });
      holder.title = feature.on ? `input ${feature.name}: click to switch it off` : `click to use ${feature.name} as an input`;
      holder.dataset.feature = feature.key;
      const canvas = element("canvas", "", holder);
      paintHeatmap(canvas, bytes(feature.image), setup.grid.units);
      holder.addEventListener("click", () => this.handlers.toggleFeature(feature.key));
      const label = element("div", "node-label", box);
      Object.assign(label.style, { left: `${x(0) - 66}px`, top: `${y(i) + node / 2 - 8}px` });
      label.textContent = feature.name;
      return holder;
    });

    hidden.forEach((layer, position) => this.layerHead(position, layer, options));
    const out = element("div", `layer-head output-head${head < node + 68 ? " compact" : ""}`, box);
    // Centred on the output column, never past the diagram's right edge.
    const outLeft = Math.min(x(columns.length - 1) + node / 2 - outWidth / 2, width - outWidth);
    Object.assign(out.style, { left: `${outLeft}px`, top: "4px", width: `${outWidth}px` });
    const outActivation = setup.layers[setup.layers.length - 1].activation;
    out.innerHTML = `<b>output</b><span title="${outActivation}">${outActivation}</span><span title="${setup.loss}">${setup.loss}</span>`;

    const inputs = setup.features.map((f, i) => [f, i]).filter(([f]) => f.on).map(([, i]) => i);
    this.links = [];
    this.biases = [];
    this.unitCanvases = [];
    setup.layers.forEach((layer, li) => {
      const from = li === 0 ? inputs : Array.from({ length: setup.layers[li - 1].n_out }, (_, j) => j);
      const linkRows = [];
      for (let k = 0; k < layer.n_out; k++) {
        const row = [];
        from.forEach((source, j) => {
          const path = `M${x(li) + node},${y(source) + node / 2} C${x(li) + node + step / 2},${y(source) + node / 2} ${x(li + 1) - step / 2},${y(k) + node / 2} ${x(li + 1)},${y(k) + node / 2}`;
          const hit = document.createElementNS(SVG, "path");
          hit.setAttribute("d", path);
          hit.setAttribute("class", "hit");
          hit.dataset.layer = layer.index;
          hit.dataset.row = k;
          hit.dataset.col = j;
          const line = document.createElementNS(SVG, "path");
          line.setAttribute("d", path);
          line.setAttribute("class", "link");
          line.dataset.layer = layer.index;
          line.dataset.row = k;
          line.dataset.col = j;
          svg.append(hit, line);
          hit.addEventListener("click", (event) => this.choose({ layer: layer.index, li, param: "W", row: k, col: j }, event));
          row.push(line);
        });
        linkRows.push(row);
      }
      this.links.push(linkRows);
      const canvases = [];
      const squares = [];
      for (let k = 0; k < layer.n_out; k++) {
        const holder = element("div", "node unit", box);
        Object.assign(holder.style, { left: `${x(li + 1)}px`, top: `${y(k)}px`, width: `${node}px`, height: `${node}px` });
        holder.dataset.layer = layer.index;
        holder.dataset.row = k;
        holder.title = `unit ${k + 1} of layer ${layer.index} (${layer.activation}): click to see or edit its bias`;
        canvases.push(element("canvas", "", holder));
        squares.push(element("div", "bias", holder));
        holder.addEventListener("click", (event) => this.choose({ layer: layer.index, li, param: "b", row: k }, event));
        // A hidden unit's heatmap is shown enlarged in the output plot while
        // the pointer is on it (the output unit's is the plot itself).
        if (li < setup.layers.length - 1) {
          holder.addEventListener("mouseenter", () => this.handlers.hover({ li, row: k, layer: layer.index }));
          holder.addEventListener("mouseleave", () => this.handlers.hover(null));
        }
      }
      this.unitCanvases.push(canvases);
      this.biases.push(squares);
    });
  }

  layerHead(position, layer, options) {
    const { node, x, head: headWidth } = this.geometry;
    const compact = headWidth < node + 68;
    const head = element("div", `layer-head${compact ? " compact" : ""}`, this.container);
    Object.assign(head.style, {
      left: `${x(position + 1) + node / 2 - headWidth / 2}px`, top: "0px", width: `${headWidth}px`,
    });
    const units = element("div", "units", head);
    const minus = element("button", "round tiny", units);
    minus.textContent = "\u2212";
    minus.title = "Remove a unit";
    minus.setAttribute("aria-label", `Remove a unit from layer ${position + 1}`);
    minus.addEventListener("click", () => this.handlers.units(position, -1));
    const plus = element("button", "round tiny", units);
    plus.textContent = "+";
    plus.title = "Add a unit";
    plus.setAttribute("aria-label", `Add a unit to layer ${position + 1}`);
    plus.addEventListener("click", () => this.handlers.units(position, 1));
    minus.disabled = layer.n_out <= 1;
    plus.disabled = layer.n_out >= options.limits.max_units;
    const count = element("span", "", head);
    count.textContent = compact ? String(layer.n_out) : `${layer.n_out} neuron${layer.n_out === 1 ? "" : "s"}`;
    count.title = `${layer.n_out} neuron${layer.n_out === 1 ? "" : "s"}`;
    const select = element("select", "activation", head);
    select.setAttribute("aria-label", `Activation of hidden layer ${position + 1}`);
    select.dataset.position = position;
    for (const name of options.activations) {
      const option = element("option", "", select);
      option.value = name;
      option.textContent = name;
    }
    select.value = layer.activation;
    select.addEventListener("change", () => this.handlers.activation(position, select.value));
  }

  // Redraw heatmaps, links and biases from a frame.
  update(frame, discretize) {
    // A frame of another architecture (an answer that crossed a change) waits
    // for the frame of the network on show.
    if (frame.weights.length !== this.setup.layers.length) return;
    this.frame = frame;
    const size = this.setup.grid.units;
    frame.units.forEach((layer, li) => layer.forEach((image, k) => {
      const canvas = this.unitCanvases[li] && this.unitCanvases[li][k];
      if (canvas) paintHeatmap(canvas, bytes(image), size, discretize);
    }));
    frame.weights.forEach((weights, li) => {
      const W = floats(weights.W);
      const b = floats(weights.b);
      const layer = this.setup.layers[li];
      this.links[li].forEach((row, k) => row.forEach((line, j) => {
        const w = W[k * layer.n_in + j];
        line.setAttribute("stroke", rgb(w >= 0 ? BLUE : ORANGE));
        line.setAttribute("stroke-width", linkWidth(w).toFixed(2));
        line.setAttribute("stroke-opacity", "0.8");
      }));
      this.biases[li].forEach((square, k) => {
        square.style.background = rgb(divergingColour(Math.max(-1, Math.min(1, b[k]))));
      });
    });
    this.showValue();
  }

  value(choice) {
    const weights = this.frame.weights[choice.li];
    const layer = this.setup.layers[choice.li];
    return choice.param === "W" ? floats(weights.W)[choice.row * layer.n_in + choice.col] : floats(weights.b)[choice.row];
  }

  choose(choice, event) {
    this.chosen = choice;
    this.mark(choice);
    const editor = document.getElementById("editor");
    const layer = this.setup.layers[choice.li];
    const l = layer.index;
    const k = choice.row + 1;
    const title = document.getElementById("editor-title");
    const where = document.getElementById("editor-where");
    if (choice.param === "W") {
      const j = choice.col + 1;
      title.innerHTML = `weight <i>w</i><sup>(${l})</sup><sub>${k},${j}</sub>`;
      const source = choice.li === 0
        ? `input ${this.setup.features.filter((f) => f.on)[choice.col].name}`
        : `unit ${j} of layer ${this.setup.layers[choice.li - 1].index}`;
      where.textContent = `From ${source} to unit ${k} of layer ${l}: W^(${l})[${k},${j}].`;
    } else {
      title.innerHTML = `bias <i>b</i><sup>(${l})</sup><sub>${k}</sub>`;
      where.textContent = `Bias of unit ${k} of layer ${l} (${layer.activation}).`;
    }
    editor.dataset.layer = l;
    editor.dataset.param = choice.param;
    editor.dataset.row = choice.row;
    editor.dataset.col = choice.col === undefined ? "" : choice.col;
    const input = document.getElementById("editor-input");
    input.value = this.value(choice);
    editor.hidden = false;
    const x = event ? event.pageX + 12 : 200;
    const y = event ? event.pageY + 12 : 200;
    editor.style.left = `${Math.min(x, document.documentElement.scrollWidth - 310)}px`;
    editor.style.top = `${y}px`;
    this.showValue();
  }

  showValue() {
    const editor = document.getElementById("editor");
    if (!this.chosen || editor.hidden || !this.frame) return;
    const value = this.value(this.chosen);
    const output = document.getElementById("editor-value");
    output.textContent = String(value);
    output.dataset.value = String(value);
  }

  // Outline the chosen link or unit.
  mark(choice) {
    for (const old of this.container.querySelectorAll(".chosen")) old.classList.remove("chosen");
    if (!choice) return;
    if (choice.param === "W") {
      this.links[choice.li][choice.row][choice.col].classList.add("chosen");
    } else {
      this.unitCanvases[choice.li][choice.row].parentElement.classList.add("chosen");
    }
  }

  // The nodes of each column: the inputs in use, then each layer's units.
  columns() {
    const inputs = this.featureNodes.filter((_, i) => this.setup.features[i].on);
    return [inputs, ...this.unitCanvases.map((canvases) => canvases.map((c) => c.parentElement))];
  }

  // Light up what a step-through stage uses, or nothing (null). `light`:
  // links (layers by position from 0), units and sources (columns: 0 the
  // inputs, p the p-th layer), values ({column: numbers} written beside the
  // units) and back (a stage of the backward pass); see stepper.js.
  light(light, digits = 4) {
    const box = this.container;
    for (const old of box.querySelectorAll(".lit, .source")) old.classList.remove("lit", "source", "back");
    for (const old of box.querySelectorAll(".stage-value")) old.remove();
    box.classList.toggle("stepping", Boolean(light));
    box.classList.toggle("backward", Boolean(light && light.back));
    if (!light) return;
    const columns = this.columns();
    const mark = (node, name) => {
      node.classList.add(name);
      if (light.back) node.classList.add("back");
    };
    for (const li of light.links) this.links[li].forEach((row) => row.forEach((path) => mark(path, "lit")));
    for (const c of light.sources) columns[c].forEach((node) => mark(node, "source"));
    for (const c of light.units) columns[c].forEach((node) => mark(node, "lit"));
    for (const [c, values] of Object.entries(light.values)) {
      columns[c].forEach((node, k) => {
        const tag = element("span", `stage-value${values[k] < 0 ? " neg" : ""}`, node);
        tag.textContent = formatNumber(values[k], digits);
        tag.dataset.v = String(values[k]);
      });
    }
  }

  close() {
    this.chosen = null;
    if (this.setup) this.mark(null);
    document.getElementById("editor").hidden = true;
  }
}
