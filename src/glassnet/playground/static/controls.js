// The settings on the page: building the controls, showing a configuration in
// them, and the configuration in the page's address (so a link reproduces a run).

import { CLASS_COLOURS, divergingColour, rgb } from "./plots.js";

const LR = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DROPOUT = [0, 0.1, 0.2, 0.3, 0.5];
const DATASET_LABELS = {
  circle: "circle",
  xor: "exclusive or",
  gauss: "gaussian",
  spiral: "spiral",
  moons: "moons",
  "multi-gauss": "3 gaussians (3 classes)",
  plane: "plane",
  "multi-gauss-regression": "multi gaussian",
};
const OUTPUT_LABELS = { auto: "from the task" };
const LOSS_LABELS = { auto: "from the task" };

function fill(select, values, label = (v) => String(v)) {
  select.replaceChildren();
  for (const value of values) {
    const option = document.createElement("option");
    option.value = String(value);
    option.textContent = label(value);
    select.append(option);
  }
}

// Select `value`, adding it as a choice when a link brought one not listed.
function choose(select, value) {
  const text = String(value);
  if (![...select.options].some((o) => o.value === text)) {
    const option = document.createElement("option");
    option.value = text;
    option.textContent = text;
    select.append(option);
  }
  select.value = text;
}

export function buildControls(options, onChange) {
  const $ = (id) => document.getElementById(id);
  fill($("lr"), LR);
  fill($("l1"), RATES);
  fill($("l2"), RATES);
  fill($("dropout"), DROPOUT);
  fill($("optimizer"), options.optimizers);
  fill($("scale"), options.scales);
  fill($("output"), options.outputs, (v) => OUTPUT_LABELS[v] || v);
  fill($("loss"), options.losses, (v) => LOSS_LABELS[v] || v);
  for (const key of ["lr", "l1", "l2", "dropout"]) {
    $(key).addEventListener("change", () => onChange({ [key]: Number($(key).value) }));
  }
  for (const key of ["optimizer", "scale", "output", "loss"]) {
    $(key).addEventListener("change", () => onChange({ [key]: $(key).value }));
  }
  $("seed").addEventListener("change", () => onChange({ seed: $("seed").value }));
  const groups = { classification: $("datasets-classification"), regression: $("datasets-regression") };
  for (const name of options.datasets) {
    if (name === "upload") continue;
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.data = name;
    const label = document.createElement("span");
    label.textContent = DATASET_LABELS[name] || name;
    button.title = label.textContent;
    if (options.samples && options.samples[name]) {
      button.append(thumbnail(options.samples[name], name));
    }
    button.append(label);
    button.addEventListener("click", () => onChange({ data: name }));
    groups[options.regression.includes(name) ? "regression" : "classification"].append(button);
  }
  const sliders = [
    ["train-ratio", "ratio-value", (v) => `${v}%`, (v) => ({ test_size: Number((1 - v / 100).toFixed(2)) })],
    ["noise", "noise-value", (v) => `${v}`, (v) => ({ noise: v / 100 })],
    ["n_samples", "points-value", (v) => `${v}`, (v) => ({ n_samples: v })],
    ["batch_size", "batch-value", (v) => `${v}`, (v) => ({ batch_size: v })],
  ];
  $("n_samples").max = String(options.limits.max_points);
  for (const [id, out, show, patch] of sliders) {
    $(id).addEventListener("input", () => { $(out).textContent = show(Number($(id).value)); });
    $(id).addEventListener("change", () => onChange(patch(Number($(id).value))));
  }
}

const THUMBNAIL = 48; // canvas pixels per side (drawn at 2x for sharp points)

// A dataset's picture, as the TensorFlow Playground shows it: a sample of its
// points, coloured by class (orange 0, blue 1, ...) or by value (the
// diverging scale over the sample's range).
function thumbnail(sample, name) {
  const canvas = document.createElement("canvas");
  canvas.className = "thumbnail";
  canvas.width = THUMBNAIL * 2;
  canvas.height = THUMBNAIL * 2;
  canvas.dataset.thumbnail = name;
  canvas.setAttribute("aria-hidden", "true");
  const context = canvas.getContext("2d");
  const size = canvas.width;
  const [a, b, c, d] = sample.domain;
  const top = sample.value_range[1];
  context.fillStyle = "#fff";
  context.fillRect(0, 0, size, size);
  for (const [x1, x2, y] of sample.points) {
    const colour = sample.task === "regression"
      ? divergingColour(y / top)
      : CLASS_COLOURS[y % CLASS_COLOURS.length];
    context.beginPath();
    context.arc(((x1 - a) / (b - a)) * size, ((d - x2) / (d - c)) * size, 3.2, 0, 2 * Math.PI);
    context.fillStyle = rgb(colour);
    context.fill();
  }
  return canvas;
}

// Show a configuration in the controls.
export function showConfig(config, setup) {
  const $ = (id) => document.getElementById(id);
  for (const key of ["lr", "l1", "l2", "dropout", "optimizer", "scale", "output", "loss"]) {
    choose($(key), config[key]);
  }
  $("seed").value = String(config.seed);
  for (const button of document.querySelectorAll(".dataset-buttons button")) {
    button.classList.toggle("selected", button.dataset.data === config.data);
  }
  const ratio = Math.round((1 - config.test_size) * 100);
  $("train-ratio").value = String(ratio);
  $("ratio-value").textContent = `${ratio}%`;
  $("noise").value = String(Math.round(config.noise * 100));
  $("noise-value").textContent = String(Math.round(config.noise * 100));
  $("n_samples").value = String(config.n_samples);
  $("points-value").textContent = config.data === "upload" ? "from the file" : String(config.n_samples);
  $("batch_size").max = String(Math.max(30, config.batch_size));
  $("batch_size").value = String(config.batch_size);
  $("batch-value").textContent = String(config.batch_size);
  $("noise").disabled = config.data === "upload";
  $("n_samples").disabled = config.data === "upload";
  $("layer-count").textContent = String(config.layers.length);
  $("upload-name").textContent = setup.upload ? `Using ${setup.upload} (${setup.train.length} training and ${setup.test.length} test points, ${setup.task})` : "";
}

// The configuration as URL parameters, every key spelled out.
export function configQuery(config, defaults) {
  const params = new URLSearchParams();
  for (const key of Object.keys(defaults)) {
    const value = config[key];
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return params.toString();
}

// The settings a link carries, as text (the server checks them).
export function configFromQuery(search, defaults) {
  const params = new URLSearchParams(search);
  const config = {};
  for (const key of Object.keys(defaults)) {
    if (params.has(key)) config[key] = params.get(key);
  }
  return config;
}
