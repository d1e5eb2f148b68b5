// Pictures: colour scales, heatmaps, the output plot with its points, the loss curve.

export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
const WHITE = [232, 234, 235];
// Class colours: class 0 orange and class 1 blue as in the TensorFlow Playground.
export const CLASS_COLOURS = [
  ORANGE, BLUE, [44, 160, 44], [148, 103, 189], [214, 39, 40], [140, 86, 75],
  [227, 119, 194], [127, 127, 127],
];

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

// 256 colours for bytes 0..255 meaning -1..1: orange, white, blue.
export const DIVERGING = Array.from({ length: 256 }, (_, q) => {
  const t = (q / 255) * 2 - 1;
  return t < 0 ? mix(WHITE, ORANGE, -t) : mix(WHITE, BLUE, t);
});

export function rgb(c) {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export function bytes(base64) {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

export function floats(base64) {
  return new Float32Array(bytes(base64).buffer);
}

// The colour of a value in [-1, 1] on the diverging scale.
export function divergingColour(t) {
  const q = Math.max(0, Math.min(255, Math.round(((t + 1) / 2) * 255)));
  return DIVERGING[q];
}

// Paint a size x size byte image (0..255 = -1..1) into a canvas of that size.
export function paintHeatmap(canvas, values, size, discretize = false) {
  if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    let q = values[i];
    if (discretize) q = q >= 128 ? 255 : 0;
    const c = DIVERGING[q];
    image.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

// The output image: binary and regression on the diverging scale, several
// classes as class colours faded towards white where the network is unsure.
function outputImage(boundary, size, discretize) {
  const values = bytes(boundary.values);
  const image = new ImageData(size, size);
  const classes = boundary.kind === "multiclass" ? bytes(boundary.classes) : null;
  for (let i = 0; i < size * size; i++) {
    let c;
    if (classes) {
      const confidence = discretize ? 1 : 0.25 + 0.75 * (values[i] / 255);
      c = mix(WHITE, CLASS_COLOURS[classes[i] % CLASS_COLOURS.length], confidence);
    } else {
      let q = values[i];
      if (discretize) q = q >= 128 ? 255 : 0;
      c = DIVERGING[q];
    }
    image.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  return image;
}

export const PLOT = { left: 30, top: 6, size: 304 };

// Map a data point to canvas pixels and back.
export function toPixel(domain, x1, x2) {
  const [a, b, c, d] = domain;
  return [PLOT.left + ((x1 - a) / (b - a)) * PLOT.size, PLOT.top + ((d - x2) / (d - c)) * PLOT.size];
}

export function toData(domain, px, py) {
  const [a, b, c, d] = domain;
  return [a + ((px - PLOT.left) / PLOT.size) * (b - a), d - ((py - PLOT.top) / PLOT.size) * (d - c)];
}

function pointColour(setup, y) {
  if (setup.kind === "regression") {
    const [low, high] = setup.value_range;
    return divergingColour(((y - low) / (high - low)) * 2 - 1);
  }
  return CLASS_COLOURS[y % CLASS_COLOURS.length];
}

function ticks(domain) {
  const [a, b] = domain;
  const span = b - a;
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((s) => span / s <= 7) || span / 6;
  const out = [];
  for (let v = Math.ceil(a / step) * step; v <= b + 1e-9; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

let offscreen = null;

// A hidden unit's activation image (bytes 0..255 = -1..1) on the diverging scale.
function unitImage(values, size, discretize) {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const q = discretize ? (values[i] >= 128 ? 255 : 0) : values[i];
    const c = DIVERGING[q];
    image.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  return image;
}

// Longest input-gradient arrow, in canvas pixels.
export const ARROW_PIXELS = 24;

// Arrows of -dC/dx at the training points: `gradient` holds dC/dx (n x 2, in
// the plane's units) of each point's own cost; an arrow points where moving
// the point lowers its cost, its length proportional to |dC/dx| (the longest
// ARROW_PIXELS). Returns |dC/dx| per pixel of length (0: no arrow).
function drawArrows(context, setup, gradient) {
  const [a, b, c, d] = setup.domain;
  const sx = PLOT.size / (b - a);
  const sy = PLOT.size / (d - c);
  let top = 0;
  for (const [g1, g2] of gradient) top = Math.max(top, Math.hypot(g1, g2));
  if (!(top > 0) || !Number.isFinite(top)) return 0;
  // a step -dC/dx in the plane is (-g1 sx, +g2 sy) on the canvas (x2 points up)
  const longest = Math.max(...gradient.map(([g1, g2]) => Math.hypot(g1 * sx, g2 * sy)));
  const perPixel = longest / ARROW_PIXELS;
  for (const pass of [["rgba(255,255,255,0.85)", 3.2], ["#1d1d1d", 1.3]]) {
    context.strokeStyle = pass[0];
    context.fillStyle = pass[0];
    context.lineWidth = pass[1];
    gradient.forEach(([g1, g2], i) => {
      const dx = (-g1 * sx) / perPixel;
      const dy = (g2 * sy) / perPixel;
      const length = Math.hypot(dx, dy);
      if (!(length >= 1)) return;
      const [px, py] = toPixel(setup.domain, setup.train[i][0], setup.train[i][1]);
      const [ux, uy] = [dx / length, dy / length];
      const head = Math.min(5, length * 0.5);
      context.beginPath();
      context.moveTo(px, py);
      context.lineTo(px + dx, py + dy);
      context.moveTo(px + dx - head * (ux - uy * 0.5), py + dy - head * (uy + ux * 0.5));
      context.lineTo(px + dx, py + dy);
      context.lineTo(px + dx - head * (ux + uy * 0.5), py + dy - head * (uy - ux * 0.5));
      context.stroke();
    });
  }
  return top / ARROW_PIXELS;
}

// The network's output over the plane (or, with options.unit, one hidden
// unit's activation, enlarged from its heatmap), the points, the traced
// point and, with options.arrows, the input-gradient arrows. Returns the
// arrows' |dC/dx| per pixel of length (0: none drawn).
export function drawOutput(canvas, setup, frame, options) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const size = options.unit ? setup.grid.units : setup.grid.boundary;
  const image = options.unit
    ? unitImage(bytes(options.unit), size, options.discretize)
    : outputImage(frame.boundary, size, options.discretize);
  if (!offscreen) offscreen = document.createElement("canvas");
  offscreen.width = size;
  offscreen.height = size;
  offscreen.getContext("2d").putImageData(image, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(offscreen, PLOT.left, PLOT.top, PLOT.size, PLOT.size);
  drawAxes(context, setup);
  context.save();
  context.beginPath();
  context.rect(PLOT.left, PLOT.top, PLOT.size, PLOT.size);
  context.clip();
  const groups = options.showTest ? [[setup.train, "#fff"], [setup.test, "#000"]] : [[setup.train, "#fff"]];
  for (const [rows, stroke] of groups) {
    for (const [x1, x2, y] of rows) {
      const [px, py] = toPixel(setup.domain, x1, x2);
      context.beginPath();
      context.arc(px, py, 3.6, 0, 2 * Math.PI);
      context.fillStyle = rgb(pointColour(setup, y));
      context.fill();
      context.lineWidth = 1;
      context.strokeStyle = stroke;
      context.stroke();
    }
  }
  const chosen = setup.train[options.point];
  if (chosen) {
    const [px, py] = toPixel(setup.domain, chosen[0], chosen[1]);
    context.beginPath();
    context.arc(px, py, 7.5, 0, 2 * Math.PI);
    context.lineWidth = 2.5;
    context.strokeStyle = "#111";
    context.stroke();
  }
  const scale = options.arrows ? drawArrows(context, setup, options.arrows) : 0;
  context.restore();
  return scale;
}

function drawAxes(context, setup) {
  const [a, b, c, d] = setup.domain;
  context.fillStyle = "#555";
  context.strokeStyle = "#999";
  context.font = "10px sans-serif";
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const v of ticks([c, d])) {
    const [, py] = toPixel(setup.domain, a, v);
    context.fillText(String(v), PLOT.left - 5, py);
  }
  context.textAlign = "center";
  context.textBaseline = "top";
  for (const v of ticks([a, b])) {
    const [px] = toPixel(setup.domain, v, c);
    if (px > PLOT.left + 8) context.fillText(String(v), px, PLOT.top + PLOT.size + 3);
  }
  context.strokeRect(PLOT.left, PLOT.top, PLOT.size, PLOT.size);
}

// Training (grey) and test (black) loss against epochs.
export function drawLossChart(canvas, history) {
  const context = canvas.getContext("2d");
  const width = canvas.width;
  const height = canvas.height;
  context.clearRect(0, 0, width, height);
  const finite = history.filter((p) => p[1] !== null && p[2] !== null);
  if (finite.length < 1) return;
  const xMax = Math.max(finite[finite.length - 1][0], 1e-9);
  const yMax = Math.max(...finite.map((p) => Math.max(p[1], p[2])), 1e-9);
  const x = (v) => 4 + (v / xMax) * (width - 8);
  const y = (v) => height - 4 - (v / yMax) * (height - 14);
  for (const [column, colour] of [[1, "#999"], [2, "#000"]]) {
    context.beginPath();
    finite.forEach((p, i) => (i ? context.lineTo(x(p[0]), y(p[column])) : context.moveTo(x(p[0]), y(p[column]))));
    context.strokeStyle = colour;
    context.lineWidth = 1.5;
    context.stroke();
  }
  context.fillStyle = "#666";
  context.font = "10px sans-serif";
  context.textAlign = "left";
  context.textBaseline = "top";
  context.fillText(yMax.toPrecision(3), 4, 0);
}

// The colour scale or the class colours under the output plot.
// A colour scale: a 256-step gradient between its two end labels.
function scale(colours, low, high, caption) {
  const row = document.createElement("span");
  row.className = "scale";
  const canvas = document.createElement("canvas");
  canvas.width = colours.length;
  canvas.height = 1;
  const context = canvas.getContext("2d");
  colours.forEach((c, q) => { context.fillStyle = rgb(c); context.fillRect(q, 0, 1, 1); });
  const label = document.createElement("span");
  label.className = "sub";
  label.textContent = caption;
  row.append(low, canvas, high, label);
  return row;
}

// The output plot's colours: the classes, and what a shade means; while a
// hidden unit is shown instead (hover = {layer, row}), its activation's scale.
export function drawLegend(element, setup, hover = null) {
  element.replaceChildren();
  element.dataset.showing = hover ? `unit ${hover.layer}.${hover.row + 1}` : "output";
  if (hover) {
    const caption = `activation of unit ${hover.row + 1} of layer ${hover.layer} (clipped to [-1, 1])`;
    element.append(scale(DIVERGING, "-1", "1", caption));
    return;
  }
  if (setup.kind === "multiclass" || setup.kind === "binary") {
    setup.classes.forEach((name, k) => {
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = rgb(CLASS_COLOURS[k % CLASS_COLOURS.length]);
      element.append(swatch, ` ${name}  `);
    });
    if (setup.kind === "binary") {
      // the background is P(class 1): orange 0, white 0.5, blue 1
      element.append(scale(DIVERGING, "0", "1", `P(${setup.classes[1]})`));
    } else {
      // the background is the winning class, paler where it is less sure
      const k = setup.classes.length;
      const shades = Array.from({ length: 256 }, (_, q) => mix(WHITE, [90, 90, 90], 0.25 + 0.75 * (q / 255)));
      element.append(scale(shades, `1/${k}`, "1", "probability of the class shown"));
    }
    return;
  }
  const [low, high] = setup.value_range;
  element.append(scale(DIVERGING, low.toPrecision(3), high.toPrecision(3), "output"));
}
