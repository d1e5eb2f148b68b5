// The trace panel: one step on one training point in lecture notation, from
// the JSON the server's Trace.render("json") produced.

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Round the digits of a non-negative number's exact decimal expansion
// ("0.12500000...") to `digits` after the point, half to even as Python's
// format does (JavaScript's toFixed rounds a tie up).
function roundText(exact, rounded, digits) {
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return rounded;
  const kept = exact.slice(0, digits ? point + 1 + digits : point);
  return Number(kept[kept.length - 1]) % 2 === 0 ? kept : rounded;
}

// A number as `glassnet trace --decimals d` writes it: fixed point with d
// digits, or, where that would hide the value (|v| < 10^-d other than 0, or
// |v| >= 10^6), scientific with max(d - 1, 1) digits and a two-digit exponent.
export function formatNumber(v, decimals) {
  if (v === null || v === undefined || Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const sign = v < 0 ? "-" : ""; // a zero has no sign to show: -0 is "0.000"
  const a = Math.abs(v);
  if (a === 0 || (a >= 10 ** -decimals && a < 1e6)) {
    return sign + roundText(a.toFixed(Math.min(decimals + 40, 100)), a.toFixed(decimals), decimals);
  }
  const digits = Math.max(decimals - 1, 1);
  const [exactMantissa] = a.toExponential(Math.min(digits + 40, 100)).split("e");
  const [mantissa, exponent] = a.toExponential(digits).split("e");
  // a tie of the mantissa rounds to even (its exponent stays: a tie is never 9.99...5)
  const m = roundText(exactMantissa, mantissa, digits);
  const e = Number(exponent);
  return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

let decimals = 4;

// The digits after the point of the number cells made from now on.
export function setDecimals(digits) {
  decimals = digits;
}

// A number cell that keeps its exact value for readers (and tests).
export function num(value, quantity, layer, row, col) {
  const cell = element("span", "num", formatNumber(value, decimals));
  if (value < 0) cell.classList.add("neg");
  cell.dataset.q = quantity;
  if (layer !== undefined) cell.dataset.l = layer;
  if (row !== undefined) cell.dataset.r = row;
  if (col !== undefined) cell.dataset.c = col;
  cell.dataset.v = String(value);
  cell.title = String(value);
  return cell;
}

// One sample's values as a column vector (shown as a row with a transpose mark).
export function vector(values, quantity, layer) {
  const box = element("span", "vec");
  box.style.gridTemplateColumns = `repeat(${values.length}, auto)`;
  values.forEach((v, k) => box.append(num(v, quantity, layer, k)));
  const wrap = element("span", "");
  wrap.append(box, element("sup", "", "T"));
  return wrap;
}

export function matrix(rows, quantity, layer) {
  const box = element("span", "mat");
  box.style.gridTemplateColumns = `repeat(${rows[0].length}, auto)`;
  rows.forEach((row, r) => row.forEach((v, c) => box.append(num(v, quantity, layer, r, c))));
  return box;
}

// "lhs = value" with lhs in HTML (only our own fixed markup, never data).
export function eq(lhs, ...values) {
  const line = element("div", "eq");
  const left = element("span", "lhs");
  left.innerHTML = lhs;
  line.append(left);
  for (const v of values) {
    line.append(element("span", "", "="), v);
  }
  return line;
}

export const sup = (name, l) => `<i>${name}</i><sup>(${l})</sup>`;

// The weight penalty of a regularized network (Trace.penalty, Trace.penalized):
// the cost is the data loss + R(W), and a penalized layer's gradient adds dR/dW.
export function penaltyTerm(t) {
  return t.penalized && t.penalized.length ? " + <i>R</i>(<i>W</i>)" : "";
}
export function penaltyGradient(t, l, weights) {
  return t.penalized && t.penalized.includes(l) ? ` + &part;<i>R</i>/&part;${weights}` : "";
}
export const PHI = { sigmoid: "&sigma;", tanh: "tanh", relu: "ReLU", leaky_relu: "LeakyReLU", identity: "id", softmax: "softmax" };

export function scalar(value, quantity) {
  const cell = num(value, quantity);
  cell.classList.add("scalar");
  return cell;
}

function head(info) {
  const t = info.trace;
  const where = info.batch ? `${info.batch} batches of epoch ${info.epoch + 1}` : `${info.epoch} epochs`;
  const label = typeof info.y === "number" ? info.y.toPrecision(4) : String(info.y);
  const step = t.step_size !== null
    ? `a plain gradient step with learning rate &eta; = ${t.step_size}`
    : `one step of ${t.optimizer}, its state copied from the run`;
  const box = element("div", "head");
  box.innerHTML = `Training point <b>#${info.point}</b>: <i>x</i> = (${info.x.map((v) => v.toFixed(3)).join(", ")}), `
    + `<i>y</i> = <b>${label.replace(/[<>&"']/g, "")}</b>. The network after ${where} (update ${info.updates}). `
    + `Forward and backward pass on this point alone, then ${step}, on a copy: the run itself is not changed.`;
  return box;
}

function forwardWB(t, box) {
  box.append(eq(`${sup("a", 0)} = <i>x</i>`, vector(t.input[0], "input")));
  let previous = 0;
  for (const layer of t.layers) {
    const l = layer.index;
    if (previous !== l - 1) box.append(eq(`${sup("x", l)} (after dropout)`, vector(layer.x[0], "x", l)));
    const input = previous === l - 1 ? sup("a", l - 1) : sup("x", l);
    box.append(eq(sup("W", l), matrix(layer.W, "W", l)));
    box.append(eq(sup("b", l), vector(layer.b, "b", l)));
    box.append(eq(`${sup("z", l)} = ${sup("W", l)} ${input} + ${sup("b", l)}`, vector(layer.z[0], "z", l)));
    box.append(eq(`${sup("a", l)} = ${PHI[layer.activation] || layer.activation}(${sup("z", l)})`, vector(layer.a[0], "a", l)));
    previous = l;
  }
}

function forwardTransfer(t, box) {
  for (const layer of t.layers) {
    const l = layer.index;
    box.append(eq(`${sup("x", l - 1)} = [1, ...]`, vector([1, ...layer.x[0]], "x_aug", l)));
    box.append(eq(`${W2(l - 1)} (biases in row 0)`, matrix(layer.transfer_matrix, "T", l)));
    box.append(eq(`${sup("s", l)} = ${W2(l - 1)}<sup>T</sup> ${sup("x", l - 1)}`, vector(layer.z[0], "z", l)));
    box.append(eq(`${sup("x", l)} = ${PHI[layer.activation] || layer.activation}(${sup("s", l)})`, vector(layer.a[0], "a", l)));
  }
}

const W2 = (l) => `&#x1D54E;<sup>(${l})</sup>`;

function backward(t, info, box, notation) {
  const layers = t.layers;
  const last = layers[layers.length - 1];
  const L = last.index;
  const transfer = notation === "transfer";
  const out = transfer ? sup("x", L) : sup("a", L);
  const fused = info.fused_factor !== null && info.fused_factor !== undefined;
  const factor = fused && info.fused_factor !== 1 ? `${info.fused_factor} ` : "";
  const rule = fused
    ? `${factor}(${out} &minus; <i>y</i>)`
    : `&part;C/&part;${out} &odot; &phi;'(${sup("z", L)})`;
  box.append(eq(`${sup("&delta;", L)} = &part;C/&part;${sup(transfer ? "s" : "z", L)} = ${rule}`, vector(last.delta[0], "delta", L)));
  for (let i = layers.length - 2; i >= 0; i--) {
    const layer = layers[i];
    const above = layers[i + 1];
    const l = layer.index;
    const own = transfer ? sup("x", l) : sup("a", l);
    const psiName = ["sigmoid", "tanh"].includes(layer.activation) ? `&psi;(${own})` : `&phi;'(${sup("z", l)})`;
    if (layer.psi) box.append(eq(psiName, vector(layer.psi[0], "psi", l)));
    const back = transfer
      ? `${W2(above.index - 1)} ${sup("&delta;", above.index)} (bias row left out)`
      : `${sup("W", above.index)}<sup>T</sup> ${sup("&delta;", above.index)}`;
    box.append(eq(`${sup("&delta;", l)} = ${psiName} &odot; (${back})`, vector(layer.delta[0], "delta", l)));
  }
  for (const layer of layers) {
    const l = layer.index;
    if (transfer) {
      box.append(eq(`&nabla;<sup>(${l - 1})</sup> = &part;C/&part;${W2(l - 1)} = ${sup("x", l - 1)} ${sup("&delta;", l)}<sup>T</sup>${penaltyGradient(t, l, W2(l - 1))}`, matrix(layer.transfer_gradient, "dT", l)));
    } else {
      box.append(eq(`&part;C/&part;${sup("W", l)} = ${sup("&delta;", l)} ${sup("a", l - 1)}<sup>T</sup>${penaltyGradient(t, l, sup("W", l))}`, matrix(layer.dW, "dW", l)));
      box.append(eq(`&part;C/&part;${sup("b", l)} = ${sup("&delta;", l)}`, vector(layer.db, "db", l)));
    }
  }
}

function update(t, box, notation) {
  if (!t.layers[0].W_new) return;
  const plain = t.step_size !== null;
  for (const layer of t.layers) {
    const l = layer.index;
    if (notation === "transfer") {
      const rule = plain ? `${W2(l - 1)} &minus; &rho; &nabla;<sup>(${l - 1})</sup>` : `${W2(l - 1)} after the step`;
      box.append(eq(`${W2(l - 1)} &larr; ${rule}`, matrix(layer.new_transfer_matrix, "T_new", l)));
    } else {
      const ruleW = plain ? `${sup("W", l)} &minus; &eta; &part;C/&part;${sup("W", l)}` : `${sup("W", l)} after the step`;
      const ruleB = plain ? `${sup("b", l)} &minus; &eta; &part;C/&part;${sup("b", l)}` : `${sup("b", l)} after the step`;
      box.append(eq(`${sup("W", l)} &larr; ${ruleW}`, matrix(layer.W_new, "W_new", l)));
      box.append(eq(`${sup("b", l)} &larr; ${ruleB}`, vector(layer.b_new, "b_new", l)));
    }
  }
  const L = t.layers[t.layers.length - 1].index;
  box.append(eq(`new output ${sup("a", L)}`, vector(t.new_output[0], "new_output")));
  box.append(eq(`new loss <i>C</i>`, scalar(t.new_loss, "new_loss")));
}

export function renderTrace(container, info, { notation, text, digits = 4 }) {
  decimals = digits;
  container.replaceChildren();
  container.dataset.decimals = digits;
  container.dataset.version = info.version;
  container.dataset.point = info.point;
  container.dataset.updates = info.updates;
  container.dataset.notation = notation;
  container.append(head(info));
  if (text) {
    container.append(element("pre", "", info.text));
    return;
  }
  const t = info.trace;
  const forward = element("section", "forward");
  forward.append(element("h3", "", "Forward pass"));
  (notation === "transfer" ? forwardTransfer : forwardWB)(t, forward);
  const L = t.layers[t.layers.length - 1].index;
  forward.append(eq(`<i>y</i> (target as the loss sees it)`, vector(t.targets[0], "y")));
  forward.append(eq(`<i>C</i> = ${t.loss_name}(${sup("a", L)}, <i>y</i>)${penaltyTerm(t)}`, scalar(t.loss, "loss")));
  const back = element("section", "backward");
  back.append(element("h3", "", "Backward pass"));
  backward(t, info, back, notation);
  const step = element("section", "update");
  step.append(element("h3", "", "Update"));
  update(t, step, notation);
  container.append(forward, back, step);
  for (const note of t.notes) container.append(element("p", "note", note));
}
