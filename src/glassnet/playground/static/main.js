// The playground page: one session on the server per tab, its frames drawn as
// they stream in, and the controls that change the run.

import { request, reportError, showMessage, clearMessage, CONNECTIONS_MESSAGE } from "./api.js";
import { buildControls, showConfig, configQuery, configFromQuery } from "./controls.js";
import { drawOutput, drawLossChart, drawLegend, toData, toPixel } from "./plots.js";
import { NetworkView } from "./network.js";
import { renderTrace } from "./trace.js";
import { buildStages, renderStage } from "./stepper.js";
import { renderDiagnostics } from "./diagnostics.js";

const $ = (id) => document.getElementById(id);

// Everything the page knows; window.playground for the console (and tests).
const app = {
  options: null,
  setup: null,
  frame: null,
  version: -1,
  playing: false,
  point: 0,
  framesReceived: 0,
  framesDrawn: 0,
  lastError: null,
  stream: null,
  hover: null, // the hidden unit whose heatmap the output plot shows: {li, row, layer}
  // Stepping through one sample: {point, info (its trace), stages, stage}.
  stepping: null,
  // Input gradients of the training points: {version, gradient (n x 2)}.
  field: null,
};
window.playground = app;

const base = () => `/api/sessions/${app.setup.id}`;
let network = null;

// Clicks made before the first session has loaded wait for it, then run in
// the order they were made, each after the previous one has been answered.
let sessionLoaded;
let queue = new Promise((resolve) => { sessionLoaded = resolve; });
const whenLoaded = (handler) => (...args) => {
  queue = queue.then(() => handler(...args)).catch(reportError);
  return queue;
};

// What only the page draws, kept in the link beside the run's settings
// (the TensorFlow Playground's names).
const VIEW = { showTestData: "show-test", discretize: "discretize", inputGradients: "input-gradients" };

// The trace's digits after the point, as `glassnet trace --decimals`.
const DECIMALS = ["2", "3", "4", "5", "6"];

function viewQuery() {
  const params = new URLSearchParams();
  for (const [key, id] of Object.entries(VIEW)) params.set(key, String($(id).checked));
  params.set("decimals", $("decimals").value);
  return params.toString();
}

function showView(search) {
  const params = new URLSearchParams(search);
  for (const [key, id] of Object.entries(VIEW)) {
    if (params.has(key)) $(id).checked = params.get(key) === "true";
  }
  if (params.has("decimals")) {
    const value = params.get("decimals");
    if (DECIMALS.includes(value)) $("decimals").value = value;
    else showMessage(`This link's decimals=${value.slice(0, 20)} is not one of ${DECIMALS.join(", ")}: the trace shows 4.`, "info");
  }
}

function updateLink() {
  if (!app.setup) return;
  history.replaceState(null, "", `?${configQuery(app.setup.config, app.options.defaults)}&${viewQuery()}`);
  $("link").value = location.href;
}

// -- applying what the server sends ---------------------------------------------------
function applySetup(setup) {
  const fresh = !app.setup || app.setup.id !== setup.id;
  app.setup = setup;
  app.config = setup.config;
  if (app.point >= setup.train.length) app.point = 0;
  $("trace-point").max = String(setup.train.length - 1);
  $("trace-point").value = String(app.point);
  showConfig(setup.config, setup);
  updateLink();
  app.hover = null; // the units are drawn anew: none is pointed at
  network.build(setup, app.options);
  $("add-layer").disabled = setup.config.layers.length >= app.options.limits.max_layers;
  $("remove-layer").disabled = setup.config.layers.length === 0;
  drawLegend($("legend"), setup);
  shownLegend = "output";
  setDownloads();
  if (fresh) {
    app.version = -1;
    openStream();
  }
}

function applyFrame(frame) {
  if (!frame || frame.version < app.version) return;
  app.version = frame.version;
  app.frame = frame;
  app.playing = frame.playing;
  followStepping(frame);
  scheduleDraw();
  refreshTrace();
  refreshExport();
  refreshField();
}

function applyState(state) {
  applySetup(state.setup);
  applyFrame(state.frame);
  refreshTrace(true);
  refreshExport(true);
}

// -- drawing, at most once per animation frame ------------------------------------------
let drawPending = false;

function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(draw);
}

function pad(n) {
  const text = String(n).padStart(6, "0");
  return `${text.slice(0, 3)},${text.slice(3)}`;
}

let shownDiagnostics = null;
let shownLegend = null;

// The image of the hovered hidden unit in this frame, or null (none hovered,
// or a frame of another architecture).
function hoveredUnit(frame) {
  const hover = app.hover;
  const layer = hover && frame.units[hover.li];
  return layer && layer[hover.row] !== undefined ? layer[hover.row] : null;
}

function draw() {
  drawPending = false;
  const { setup, frame } = app;
  if (!setup || !frame) return;
  const began = performance.now();
  const discretize = $("discretize").checked;
  const unit = hoveredUnit(frame);
  const arrows = !unit && $("input-gradients").checked && app.field && app.field.setup === setup.id
    ? app.field.gradient : null;
  const scale = drawOutput($("boundary"), setup, frame, { showTest: $("show-test").checked, discretize, point: app.point, unit, arrows });
  $("input-gradients-note").hidden = !$("input-gradients").checked;
  $("input-gradients-scale").textContent = scale ? scale.toPrecision(3) : "\u2013";
  $("boundary").dataset.arrows = String(arrows ? arrows.length : 0);
  const showing = unit ? `unit ${app.hover.layer}.${app.hover.row + 1}` : "output";
  if (showing !== shownLegend) {
    drawLegend($("legend"), setup, unit ? app.hover : null);
    shownLegend = showing;
  }
  $("boundary").dataset.showing = showing;
  drawLossChart($("loss-chart"), frame.history);
  network.update(frame, discretize);
  const diagnostics = JSON.stringify([setup.id, setup.layers, frame.diagnostics]);
  if (diagnostics !== shownDiagnostics) {
    renderDiagnostics($("diagnostics"), setup, frame);
    shownDiagnostics = diagnostics;
  }
  const epoch = $("epoch");
  epoch.textContent = pad(frame.epoch);
  epoch.dataset.epoch = String(frame.epoch);
  $("batch-info").textContent = `batch ${frame.batch}/${frame.n_batches} \u00b7 update ${frame.updates}`;
  const m = frame.metrics;
  for (const [id, key] of [["test-loss", "test_loss"], ["train-loss", "train_loss"]]) {
    $(id).textContent = m[key] === null ? "NaN" : m[key].toFixed(3);
    $(id).dataset.value = String(m[key]);
  }
  $("metric").textContent = "test_accuracy" in m
    ? `accuracy: training ${fmt(m.train_accuracy)}, test ${fmt(m.test_accuracy)}`
    : `mean absolute error: training ${fmt(m.train_mae)}, test ${fmt(m.test_mae)}`;
  const play = $("play");
  play.disabled = Boolean(app.stepping);
  $("step").disabled = Boolean(app.stepping);
  play.classList.toggle("playing", app.playing);
  $("play-icon").setAttribute("d", app.playing ? "M6 5h4v14H6zM14 5h4v14h-4z" : "M8 5v14l11-7z");
  play.setAttribute("aria-label", app.playing ? "Pause" : "Play");
  if (frame.notice && frame.notice !== app.shownNotice) showMessage(frame.notice, "error");
  app.shownNotice = frame.notice;
  app.framesDrawn += 1;
  app.drawMilliseconds = performance.now() - began;
}

function fmt(v) {
  return v === null || v === undefined ? "NaN" : v.toFixed(3);
}

// -- the stream ---------------------------------------------------------------------------
// A stream that has not opened after a few seconds waits for a connection.
const STREAM_WAIT_MS = 4000;

function openStream() {
  if (app.stream) app.stream.close();
  clearTimeout(app.streamTimer);
  const stream = new EventSource(`${base()}/stream`);
  app.streamOpen = false;
  app.streamTimer = setTimeout(() => {
    if (app.stream === stream && stream.readyState !== EventSource.OPEN) {
      app.streamStalled = true;
      showMessage(CONNECTIONS_MESSAGE, "error");
    }
  }, STREAM_WAIT_MS);
  stream.addEventListener("open", () => {
    app.streamOpen = true;
    clearTimeout(app.streamTimer);
    clearMessage(CONNECTIONS_MESSAGE);
  });
  stream.addEventListener("frame", (event) => {
    app.framesReceived += 1;
    applyFrame(JSON.parse(event.data));
  });
  stream.addEventListener("error", () => {
    if (stream.readyState === EventSource.CLOSED) {
      clearTimeout(app.streamTimer);
      showMessage("Lost the connection to the playground server: reload the page (is `glassnet playground` still running?).", "error");
    }
  });
  app.stream = stream;
}

// -- actions -------------------------------------------------------------------------------
async function act(promise) {
  try {
    return await promise;
  } catch (error) {
    reportError(error);
    return null;
  }
}

async function change(patch) {
  if ("data" in patch) {
    // Another task needs another output and loss: back to the task's own.
    const regression = app.options.regression.includes(patch.data);
    if (regression !== (app.setup.task === "regression")) Object.assign(patch, { output: "auto", loss: "auto" });
  }
  const config = { ...app.config, ...patch };
  const state = await act(request("POST", `${base()}/config`, config));
  if (state) {
    clearMessage();
    applyState(state);
  } else {
    showConfig(app.config, app.setup);
  }
}

async function togglePlay() {
  if (app.playing) {
    const answer = await act(request("POST", `${base()}/pause`));
    if (answer) { app.playing = false; applyFrame(answer.frame); }
  } else {
    const answer = await act(request("POST", `${base()}/play`));
    if (answer) {
      app.playing = answer.playing;
      if (answer.notice) showMessage(answer.notice, "error");
      scheduleDraw();
    }
  }
}

async function step() {
  const answer = await act(request("POST", `${base()}/step`));
  if (answer) applyFrame(answer.frame);
}

async function reset() {
  const state = await act(request("POST", `${base()}/reset`));
  if (state) applyState(state);
}

async function upload(file) {
  const headers = { "Content-Type": file.type || "text/csv", "X-Filename": encodeURIComponent(file.name) };
  const state = await act(request("POST", `${base()}/upload`, file, headers));
  $("upload").value = "";
  if (state) {
    showMessage(`Uploaded ${state.setup.upload}: ${state.setup.train.length + state.setup.test.length} points, ${state.setup.task}.`, "info");
    applyState(state);
  }
}

async function setParameter(event) {
  event.preventDefault();
  const editor = $("editor");
  const body = {
    layer: Number(editor.dataset.layer),
    param: editor.dataset.param,
    row: Number(editor.dataset.row),
    value: Number($("editor-input").value),
  };
  if (editor.dataset.col !== "") body.col = Number(editor.dataset.col);
  const answer = await act(request("POST", `${base()}/parameter`, body));
  if (answer) applyFrame(answer.frame);
}

function changeLayers(update) {
  const layers = [...app.config.layers];
  const activation = [...app.config.activation];
  update(layers, activation);
  return change({ layers, activation });
}

// -- the trace and the export, refreshed without flooding the server ---------------------
function throttled(run, interval) {
  let busy = false;
  let again = false;
  let last = 0;
  let timer = null;
  const go = async (force) => {
    if (busy) { again = true; return; }
    const wait = app.playing && !force ? interval - (performance.now() - last) : 0;
    if (wait > 0) {
      clearTimeout(timer);
      timer = setTimeout(() => go(true), wait);
      return;
    }
    busy = true;
    last = performance.now();
    try { await run(); } finally {
      busy = false;
      if (again) { again = false; go(true); }
    }
  };
  return go;
}

let tracedVersion = null;
const traceNow = throttled(async () => {
  if (!app.setup || !app.frame) return;
  const notation = $("notation").value;
  const digits = Number($("decimals").value);
  const key = `${app.frame.version}/${app.point}/${notation}/${$("trace-text").checked}/${digits}`;
  if (key === tracedVersion) return;
  const info = await act(request("GET", `${base()}/trace?point=${app.point}&notation=${notation}&decimals=${digits}`));
  if (!info) return;
  tracedVersion = key;
  renderTrace($("trace"), info, { notation, text: $("trace-text").checked, digits });
}, 300);

function refreshTrace(force = false) {
  traceNow(force);
}

const exportNow = throttled(async () => {
  if (!app.setup) return;
  const answer = await act(request("GET", `${base()}/train-config`));
  if (!answer) return;
  $("command").textContent = answer.command;
  const notes = $("export-notes");
  notes.replaceChildren();
  if (answer.complete) {
    const item = document.createElement("li");
    item.textContent = "Same data, same initial weights, same batches and steps as the run: the command's weights match the run's to float32 rounding.";
    notes.append(item);
  }
  for (const note of answer.notes) {
    const item = document.createElement("li");
    item.textContent = note;
    notes.append(item);
  }
}, 2000);

function refreshExport(force = false) {
  exportNow(force);
}

function setDownloads() {
  $("download-model").href = `${base()}/model`;
  $("download-toml").href = `${base()}/train-config?download=toml`;
  $("download-data").href = `${base()}/data.csv`;
  const uploaded = $("download-upload");
  uploaded.hidden = !app.setup.upload;
  if (app.setup.upload) {
    uploaded.href = `${base()}/upload.csv`;
    uploaded.textContent = `Uploaded file (${app.setup.upload})`;
  }
}

function choosePoint(index) {
  if (!app.setup) return;
  app.point = Math.max(0, Math.min(app.setup.train.length - 1, index));
  $("trace-point").value = String(app.point);
  scheduleDraw();
  refreshTrace(true);
  if (app.stepping) return stepThrough(app.point);
}

// -- stepping through one sample ----------------------------------------------------------
// The server pauses training and sends the trace of the point; the page
// shows one stage of it at a time and lights up the picture. Leaving asks
// the server to resume training if it was playing.
async function stepThrough(point, stage = 0) {
  const digits = Number($("decimals").value);
  const answer = await act(request("POST", `${base()}/step-through`, { point, decimals: digits }));
  if (!answer) return;
  const info = answer.trace;
  const stages = buildStages(info);
  app.stepping = { point: info.point, info, stages, stage: Math.min(stage, stages.length - 1) };
  app.point = info.point;
  $("trace-point").value = String(app.point);
  applyFrame(answer.frame);
  showStage();
}

function showStage() {
  const s = app.stepping;
  const digits = Number($("decimals").value);
  $("stepper").hidden = false;
  $("step-through").hidden = true;
  $("stepper-point").textContent = String(s.point);
  renderStage($("stage"), s.info, s.stages, s.stage, digits);
  network.light(s.stages[s.stage].light, digits);
  $("stage-prev").disabled = s.stage === 0;
  $("stage-next").disabled = s.stage === s.stages.length - 1;
  $("stage-counter").textContent = `stage ${s.stage + 1} of ${s.stages.length}`;
  scheduleDraw();
}

function moveStage(by) {
  const s = app.stepping;
  if (!s) return;
  const stage = Math.max(0, Math.min(s.stages.length - 1, s.stage + by));
  if (stage === s.stage) return;
  s.stage = stage;
  showStage();
}

// The page's side of leaving (the server has already resumed, or ended the
// step-through itself: a reset, a new configuration, Play).
function leaveStepping() {
  app.stepping = null;
  $("stepper").hidden = true;
  $("step-through").hidden = false;
  network.light(null);
  scheduleDraw();
}

async function exitStepThrough() {
  if (!app.stepping) return;
  const answer = await act(request("POST", `${base()}/step-through/exit`));
  leaveStepping();
  if (answer) applyFrame(answer.frame);
}

// A frame while stepping: the server may have ended the step-through, or the
// network changed (a weight edited): then the point is traced again.
let retracing = false;
function followStepping(frame) {
  const s = app.stepping;
  if (!s) return;
  if (!frame.stepping) {
    leaveStepping();
  } else if (frame.version !== s.info.version && !retracing) {
    retracing = true;
    stepThrough(s.point, s.stage).finally(() => { retracing = false; });
  }
}

function stepperKeys(event) {
  if (!app.stepping || event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target;
  if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
  const moves = { ArrowRight: 1, ArrowLeft: -1 }; // up and down still scroll
  if (event.key in moves) {
    event.preventDefault();
    moveStage(moves[event.key]);
  } else if (event.key === "Escape") {
    event.preventDefault();
    whenLoaded(exitStepThrough)();
  }
}

// -- input gradients of the training points, fetched when shown -----------------------------
const fieldNow = throttled(async () => {
  if (!app.setup || !app.frame || !$("input-gradients").checked) return;
  const key = `${app.setup.id}/${app.frame.version}`;
  if (app.field && app.field.key === key) return;
  const answer = await act(request("GET", `${base()}/input-gradients`));
  if (!answer) return;
  app.field = { key, setup: app.setup.id, version: answer.version, gradient: answer.gradient };
  scheduleDraw();
}, 300);

function refreshField(force = false) {
  fieldNow(force);
}

function clickOutput(event) {
  const canvas = $("boundary");
  const rect = canvas.getBoundingClientRect();
  const px = ((event.clientX - rect.left) / rect.width) * canvas.width;
  const py = ((event.clientY - rect.top) / rect.height) * canvas.height;
  let best = -1;
  let distance = 144; // within 12 pixels
  app.setup.train.forEach(([x1, x2], i) => {
    const [qx, qy] = toPixel(app.setup.domain, x1, x2);
    const d = (qx - px) ** 2 + (qy - py) ** 2;
    if (d < distance) { distance = d; best = i; }
  });
  if (best >= 0) choosePoint(best);
  else {
    const [x1, x2] = toData(app.setup.domain, px, py);
    showMessage(`No training point near (${x1.toFixed(2)}, ${x2.toFixed(2)}): click on a point to trace it.`, "info");
  }
}

// -- wiring ---------------------------------------------------------------------------------
// Wired before anything has loaded: a click then waits for the session.
function wire() {
  network = new NetworkView($("network"), {
    toggleFeature: (key) => {
      const features = app.config.features.includes(key)
        ? app.config.features.filter((f) => f !== key)
        : [...app.config.features, key];
      change({ features });
    },
    units: (position, delta) => changeLayers((layers) => {
      layers[position] = Math.max(1, Math.min(app.options.limits.max_units, layers[position] + delta));
    }),
    activation: (position, name) => changeLayers((layers, activation) => { activation[position] = name; }),
    hover: (unit) => { app.hover = unit; scheduleDraw(); },
  });
  $("play").addEventListener("click", whenLoaded(togglePlay));
  $("step").addEventListener("click", whenLoaded(step));
  $("reset").addEventListener("click", whenLoaded(reset));
  $("add-layer").addEventListener("click", whenLoaded(() => changeLayers((layers, activation) => {
    if (layers.length >= app.options.limits.max_layers) return;
    layers.push(layers.length ? layers[layers.length - 1] : 4);
    activation.push(activation.length ? activation[activation.length - 1] : "tanh");
  })));
  $("remove-layer").addEventListener("click", whenLoaded(() => changeLayers((layers, activation) => {
    layers.pop();
    activation.pop();
  })));
  $("upload").addEventListener("change", whenLoaded(() => { if ($("upload").files[0]) upload($("upload").files[0]); }));
  for (const id of Object.values(VIEW)) {
    $(id).addEventListener("change", () => { scheduleDraw(); updateLink(); });
  }
  $("boundary").addEventListener("click", whenLoaded(clickOutput));
  $("step-through").addEventListener("click", whenLoaded(() => stepThrough(app.point)));
  $("stage-next").addEventListener("click", () => moveStage(1));
  $("stage-prev").addEventListener("click", () => moveStage(-1));
  $("next-point").addEventListener("click", whenLoaded(() => choosePoint((app.point + 1) % app.setup.train.length)));
  $("stepper-exit").addEventListener("click", whenLoaded(exitStepThrough));
  document.addEventListener("keydown", stepperKeys);
  $("input-gradients").addEventListener("change", () => refreshField(true));
  $("trace-point").addEventListener("change", whenLoaded(() => choosePoint(Number($("trace-point").value))));
  $("notation").addEventListener("change", () => refreshTrace(true));
  $("trace-text").addEventListener("change", () => refreshTrace(true));
  $("decimals").addEventListener("change", () => {
    refreshTrace(true);
    updateLink();
    if (app.stepping) showStage();
  });
  $("editor-form").addEventListener("submit", setParameter);
  $("editor-close").addEventListener("click", () => network.close());
  $("message-close").addEventListener("click", () => clearMessage());
  $("copy-link").addEventListener("click", async () => {
    $("link").select();
    try {
      await navigator.clipboard.writeText(location.href);
      showMessage("Link copied: it opens this configuration with the same seed.", "info");
    } catch (error) {
      showMessage("Select the link and copy it (the browser refused the clipboard).", "info");
    }
  });
  // A closed tab frees its session at once (the server also notices the
  // stream closing); a page brought back from the history cache starts anew.
  window.addEventListener("pagehide", () => {
    if (app.stream) app.stream.close();
    if (app.setup) navigator.sendBeacon(`${base()}/close`);
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) location.reload();
  });
}

async function start() {
  wire();
  showView(location.search);
  app.options = await act(request("GET", "/api/options"));
  if (!app.options) return;
  buildControls(app.options, whenLoaded(change));
  const fromLink = configFromQuery(location.search, app.options.defaults);
  let note = null;
  if (fromLink.data === "upload") {
    delete fromLink.data;
    note = "This link was made with an uploaded CSV file, which a link cannot carry: upload the file again (the other settings are restored).";
  }
  let state;
  try {
    state = await request("POST", "/api/sessions", fromLink);
  } catch (error) {
    if (error.status !== 400 || !Object.keys(fromLink).length) {
      reportError(error);
      return;
    }
    reportError(error);
    showMessage(`This link's settings were refused: ${error.message} The default settings are shown instead.`, "error");
    state = await act(request("POST", "/api/sessions", {}));
    if (!state) return;
    applyState(state);
    sessionLoaded();
    return;
  }
  applyState(state);
  sessionLoaded();
  if (note) showMessage(note, "info");
}

start();
