// Requests to the playground server, and the message bar that shows its answers.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Send a request; JSON bodies are encoded here. Resolves to the parsed JSON
// answer, rejects with an ApiError carrying the server's message.
export async function request(method, path, body, headers = {}) {
  const options = { method, headers: { ...headers } };
  if (body instanceof Blob || typeof body === "string") {
    options.body = body;
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new ApiError(0, "The playground server cannot be reached: is it still running?");
  }
  const text = await response.text();
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

export function clearMessage() {
  document.getElementById("message").hidden = true;
}

// Report a failed request on the page (and keep the error for tests).
export function reportError(error) {
  const status = error.status ? ` (HTTP ${error.status})` : "";
  showMessage(`${error.message}${status}`, "error");
  window.playground && (window.playground.lastError = { status: error.status, message: error.message });
}
