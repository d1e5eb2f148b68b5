// Per-layer gradient norms and saturation (glassnet.diagnostics on the server).

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A bar whose length is `share` of its width, with the value beside it.
function bar(share, text, kind, quantity, layer, value) {
  const cell = element("td", "");
  const track = element("div", `bar ${kind}`);
  const fill = element("span", "");
  fill.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  track.append(fill);
  const label = element("span", "value", text);
  label.dataset.q = quantity;
  label.dataset.l = layer;
  label.dataset.v = value === null || value === undefined ? "" : String(value);
  cell.append(track, label);
  return cell;
}

// Gradient norms on a log scale from 1e-6 to 10.
function logShare(v) {
  if (!v || v <= 0) return 0;
  return (Math.log10(v) + 6) / 7;
}

export function renderDiagnostics(container, setup, frame) {
  const d = frame.diagnostics;
  container.replaceChildren();
  const table = element("table", "");
  const header = element("tr", "");
  for (const name of ["layer", "RMS of \u2202C/\u2202W (log scale)", "saturated / dead"]) header.append(element("th", "", name));
  table.append(header);
  setup.layers.forEach((layer, i) => {
    const row = element("tr", "");
    row.append(element("td", "", `${layer.index} (${layer.activation})`));
    const g = d.grad_norm ? d.grad_norm[i] : null;
    row.append(bar(logShare(g), g === null ? "no step yet" : g.toExponential(2), "grad", "grad_norm", layer.index, g));
    const s = d.saturation[i];
    const dead = d.dead[i];
    if (s !== null) row.append(bar(s, `${(s * 100).toFixed(1)}% saturated`, "sat", "saturation", layer.index, s));
    else if (dead !== null) row.append(bar(dead, `${(dead * 100).toFixed(1)}% dead`, "sat", "dead", layer.index, dead));
    else row.append(element("td", "value", "unbounded"));
    table.append(row);
  });
  container.append(table);
  const hint = element("p", "hint",
    "Gradient norm: root-mean-square of the layer's dC/dW over the batches of the last update. "
    + "Saturation: share of the training points' activations within 1% of the activation's limits "
    + "(sigmoid, tanh); dead: ReLU units that output 0 for every training point.");
  container.append(hint);
  if (d.notes.length) {
    const list = element("ul", "notes");
    for (const note of d.notes) list.append(element("li", "", note));
    container.append(list);
  }
}
