// Requests to the playground server, and the message bar that shows its answers.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Browsers open at most 6 connections to one server, and each playground tab
// holds one for its stream: with more tabs, requests wait for a free one.
export const CONNECTIONS_MESSAGE =
  "Waiting for the playground server: this browser may have too many playground tabs open " +
  "(a browser opens at most 6 connections to one server, and each tab keeps one). " +
  "Close another playground tab.";
const SLOW_REQUEST_MS = 5000;

// Send a request; JSON bodies are encoded here, and every request that
// changes something is sent as JSON (the server requires it). Resolves to the
// parsed JSON answer, rejects with an ApiError carrying the server's message.
// A request still unanswered after a few seconds shows why it may wait.
export async function request(method, path, body, headers = {}) {
  const options = { method, headers: { ...headers } };
  if (body instanceof Blob || typeof body === "string") {
    options.body = body;
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
  }
  if (method !== "GET" && !options.headers["Content-Type"]) {
    options.headers["Content-Type"] = "application/json";
  }
  let response;
  let text;
  let waited = false;
  const slow = setTimeout(() => {
    waited = true;
    showMessage(CONNECTIONS_MESSAGE, "error");
  }, SLOW_REQUEST_MS);
  try {
    response = await fetch(path, options);
    text = await response.text();
  } catch (error) {
    throw new ApiError(0, "The playground server cannot be reached: is it still running?");
  } finally {
    clearTimeout(slow);
    if (waited) clearMessage(CONNECTIONS_MESSAGE);
  }
  let document = null;
  try {
    document = text ? JSON.parse(text) : null;
  } catch (error) {
    document = null;
  }
  if (!response.ok) {
    const message = document && document.error ? document.error : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return document;
}

let hideTimer = null;

// Show a message in the bar at the top; errors stay until dismissed or
// replaced, information fades after a few seconds.
export function showMessage(text, kind = "error") {
  const bar = document.getElementById("message");
  document.getElementById("message-text").textContent = text;
  bar.className = kind;
  bar.dataset.kind = kind;
  bar.hidden = false;
  clearTimeout(hideTimer);
  if (kind !== "error") {
    hideTimer = setTimeout(() => { bar.hidden = true; }, 6000);
  }
}

// Hide the message bar (only if it shows ``text``, when given).
export function clearMessage(text) {
  if (text !== undefined && document.getElementById("message-text").textContent !== text) return;
  document.getElementById("message").hidden = true;
}

// Report a failed request on the page (and keep the error for tests).
export function reportError(error) {
  const status = error.status ? ` (HTTP ${error.status})` : "";
  showMessage(`${error.message}${status}`, "error");
  window.playground && (window.playground.lastError = { status: error.status, message: error.message });
}
