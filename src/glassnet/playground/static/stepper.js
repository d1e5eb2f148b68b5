// Stepping through one sample: the stages of its forward and backward pass,
// one equation with its numbers per stage, and what each stage lights up on
// the network picture. Every number comes from the server's trace of the
// point (glassnet's own forward and backward pass, Trace.to_dict): nothing
// is computed here.
//
// Notation of the lectures: z^(l) = W^(l) a^(l-1) + b^(l) with the weight
// w^(l)_kj from unit j of layer l-1 to unit k of layer l, a^(l) = phi(z^(l)),
// delta^(l) = dC/dz^(l), psi(a) the derivative of the activation written in
// its output (lecture 002).

import {
  PHI, element, matrix, penaltyGradient, penaltyTerm, scalar, setDecimals, sup, vector,
} from "./trace.js";

// A line "lhs = part = part ...": lhs and string parts are our own fixed
// markup (never data), numbers are cells.
function line(lhs, ...parts) {
  const row = element("div", "eq");
  const left = element("span", "lhs");
  left.innerHTML = lhs;
  row.append(left);
  for (const part of parts) {
    if (typeof part === "string") {
      const text = element("span", "op");
      text.innerHTML = part;
      row.append(text);
    } else {
      row.append(part);
    }
  }
  return row;
}

const sub = (name, l, indices) => `<i>${name}</i><sup>(${l})</sup><sub>${indices}</sub>`;
// phi'(z) of a layer, written psi(a) for sigmoid and tanh as lecture 002 does;
// `j` gives the component.
const psiOf = (activation, l, j) => (["sigmoid", "tanh"].includes(activation)
  ? `&psi;(${j ? sub("a", l, j) : sup("a", l)})`
  : `&phi;'(${j ? sub("z", l, j) : sup("z", l)})`);

// The stages of one traced point: the input, each layer forward, the loss,
// delta^L, each delta below it, and each layer's gradients.
//
// A stage's `light` says what the network picture shows: `links` (layers
// by position from 0), `units` (columns: 0 the inputs, p the p-th layer)
// and `sources` (columns feeding the stage), `values` ({column: numbers}
// written beside the units) and `back` (the backward pass).
export function buildStages(info) {
  const t = info.trace;
  const layers = t.layers;
  const L = layers[layers.length - 1];
  const stages = [];
  stages.push({
    kind: "input",
    phase: "forward",
    title: "Forward pass: the input",
    light: { links: [], units: [0], sources: [], values: { 0: t.input[0] } },
    draw: (box) => {
      box.append(line(`${sup("a", 0)} = <i>x</i>`, "=", vector(t.input[0], "input")));
    },
  });
  layers.forEach((layer, li) => {
    const l = layer.index;
    const previous = li === 0 ? 0 : layers[li - 1].index;
    const input = previous === l - 1 ? sup("a", l - 1) : sup("x", l);
    const j = previous === l - 1 ? sub("a", l - 1, "j") : sub("x", l, "j");
    const phi = PHI[layer.activation] || layer.activation;
    stages.push({
      kind: "forward",
      phase: "forward",
      layer: l,
      title: `Forward pass: layer ${l} (${layer.activation})`,
      light: { links: [li], units: [li + 1], sources: [li], values: { [li + 1]: layer.a[0] } },
      draw: (box) => {
        box.append(line(`${sub("z", l, "k")} = &sum;<sub>j</sub> ${sub("w", l, "kj")} ${j} + ${sub("b", l, "k")}`));
        if (previous !== l - 1) {
          box.append(line(`${sup("x", l)} (${sup("a", previous)} after dropout)`, "=", vector(layer.x[0], "x", l)));
        }
        box.append(line(
          `${sup("z", l)} = ${sup("W", l)} ${input} + ${sup("b", l)}`,
          "=", matrix(layer.W, "W", l), vector(layer.x[0], "a_in", l), "+", vector(layer.b, "b", l),
          "=", vector(layer.z[0], "z", l),
        ));
        box.append(line(`${sup("a", l)} = ${phi}(${sup("z", l)})`, "=", vector(layer.a[0], "a", l)));
      },
    });
  });
  const last = layers.length;
  stages.push({
    kind: "loss",
    phase: "forward",
    layer: L.index,
    title: "Forward pass: the cost of this point",
    light: { links: [], units: [last], sources: [], values: { [last]: L.a[0] } },
    draw: (box) => {
      box.append(line("<i>y</i> (the target as the loss sees it)", "=", vector(t.targets[0], "y")));
      box.append(line(`<i>C</i> = ${t.loss_name}(${sup("a", L.index)}, <i>y</i>)${penaltyTerm(t)}`, "=", scalar(t.loss, "loss")));
    },
  });
  const fused = info.fused_factor !== null && info.fused_factor !== undefined;
  const factor = fused && info.fused_factor !== 1 ? `${info.fused_factor} ` : "";
  stages.push({
    kind: "delta",
    phase: "backward",
    layer: L.index,
    title: `Backward pass: &delta; of the output layer ${L.index}`,
    light: { links: [], units: [last], sources: [], values: { [last]: L.delta[0] }, back: true },
    draw: (box) => {
      const rule = fused
        ? `${factor}(${sup("a", L.index)} &minus; <i>y</i>)`
        : `&part;C/&part;${sup("a", L.index)} &odot; &phi;'(${sup("z", L.index)})`;
      box.append(line(`${sup("&delta;", L.index)} = &part;C/&part;${sup("z", L.index)} = ${rule}`, "=", vector(L.delta[0], "delta", L.index)));
      if (fused) {
        box.append(element("p", "note", "The loss and the output activation are a canonical pair: the derivative of the activation cancels, and the output error is the difference itself."));
      }
    },
  });
  for (let li = layers.length - 2; li >= 0; li--) {
    const layer = layers[li];
    const above = layers[li + 1];
    const l = layer.index;
    const m = above.index;
    const psi = psiOf(layer.activation, l);
    stages.push({
      kind: "delta",
      phase: "backward",
      layer: l,
      title: `Backward pass: &delta; of layer ${l}`,
      light: { links: [li + 1], units: [li + 1], sources: [li + 2], values: { [li + 1]: layer.delta[0] }, back: true },
      draw: (box) => {
        box.append(line(`${sub("&delta;", l, "j")} = ${psiOf(layer.activation, l, "j")} &sum;<sub>k</sub> ${sub("w", m, "kj")} ${sub("&delta;", m, "k")}`));
        box.append(line(`(${sup("W", m)})<sup>T</sup> ${sup("&delta;", m)}`, "=", matrix(transpose(above.W), "WT", m), vector(above.delta[0], "delta_in", m)));
        if (layer.psi) box.append(line(`${psi}`, "=", vector(layer.psi[0], "psi", l)));
        box.append(line(
          `${sup("&delta;", l)} = ${psi} &odot; (${sup("W", m)})<sup>T</sup> ${sup("&delta;", m)}`,
          "=", vector(layer.delta[0], "delta", l),
        ));
      },
    });
  }
  layers.forEach((layer, li) => {
    const l = layer.index;
    const previous = li === 0 ? 0 : layers[li - 1].index;
    const input = previous === l - 1 ? sup("a", l - 1) : sup("x", l);
    const j = previous === l - 1 ? sub("a", l - 1, "j") : sub("x", l, "j");
    stages.push({
      kind: "gradient",
      phase: "backward",
      layer: l,
      title: `Backward pass: the gradients of layer ${l}`,
      light: { links: [li], units: [li + 1], sources: [li], values: { [li + 1]: layer.delta[0] }, back: true },
      draw: (box) => {
        box.append(line(`&part;C/&part;${sub("w", l, "kj")} = ${sub("&delta;", l, "k")} ${j}${penaltyGradient(t, l, sub("w", l, "kj"))}, &nbsp; &part;C/&part;${sub("b", l, "k")} = ${sub("&delta;", l, "k")}`));
        box.append(line(
          `&part;C/&part;${sup("W", l)} = ${sup("&delta;", l)} (${input})<sup>T</sup>${penaltyGradient(t, l, sup("W", l))}`,
          "=", matrix(layer.dW, "dW", l),
        ));
        box.append(line(`&part;C/&part;${sup("b", l)} = ${sup("&delta;", l)}`, "=", vector(layer.db, "db", l)));
      },
    });
  });
  return stages;
}

function transpose(rows) {
  return rows[0].map((_, c) => rows.map((row) => row[c]));
}

// Show stage `index` of `stages` in `box`, numbers with `digits` decimals.
export function renderStage(box, info, stages, index, digits) {
  setDecimals(digits);
  const stage = stages[index];
  box.replaceChildren();
  box.dataset.stage = String(index);
  box.dataset.kind = stage.kind;
  box.dataset.phase = stage.phase;
  box.dataset.layer = stage.layer === undefined ? "" : String(stage.layer);
  box.dataset.point = String(info.point);
  box.dataset.version = String(info.version);
  const title = element("h3", "stage-title");
  title.innerHTML = `${stage.title} <span class="sub">(stage ${index + 1} of ${stages.length})</span>`;
  box.append(title);
  stage.draw(box);
}
