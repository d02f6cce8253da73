// Calls to the lab's JSON API. A 4xx carries {"detail": "message"} or FastAPI's list of
// {loc, msg}; either becomes an ApiError whose message names the field and the limit.

export class ApiError extends Error {
  constructor(message, status, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

function explain(detail) {
  if (typeof detail === "string") {
    const field = /^([a-z_]+)[:.[]/.exec(detail)?.[1] ?? null;
    return { message: detail, field };
  }
  if (Array.isArray(detail) && detail.length) {
    const first = detail[0];
    const loc = (first.loc || []).filter((part) => part !== "body");
    const where = loc.join(".");
    return { message: where ? `${where}: ${first.msg}` : first.msg, field: loc[0] ?? null };
  }
  return { message: "The request was refused.", field: null };
}

async function handle(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: a proxy error page, say.
  }
  if (!response.ok) {
    const { message, field } = explain(data?.detail);
    throw new ApiError(message, response.status, field);
  }
  return data;
}

// A full lab (503) or this browser's share used up (429) is temporary: wait as long as the
// server's Retry-After says (plus a little jitter, so many pages do not return at once) and try
// again, telling the page through onBusy so it can say "the lab is busy, retrying…".
const RETRIES = 8;
const busyListeners = new Set();

/** Call fn(waitSeconds) each time a request waits to retry, and fn(null) when one is answered. */
export function onBusy(fn) {
  busyListeners.add(fn);
}

function tell(wait) {
  for (const fn of busyListeners) fn(wait);
}

function retryAfter(response) {
  const seconds = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  return Math.min(Math.max(Number.isFinite(seconds) ? seconds : 1, 1), 30);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("Aborted", "AbortError"));
    });
  });
}

let waiting = 0; // requests now waiting out a Retry-After

/** Tell the listeners only when the last waiting request is answered: another request that
 * was never refused must not clear "the lab is busy, retrying…" while one still waits. */
function answered(waited) {
  if (!waited) return;
  waiting -= 1;
  if (waiting === 0) tell(null);
}

async function send(url, init) {
  let waited = false;
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", ...init });
    } catch (error) {
      answered(waited);
      if (error.name === "AbortError") throw error;
      throw new ApiError("The server could not be reached. Check the connection and try again.", 0, null);
    }
    if ((response.status === 503 || response.status === 429) && attempt < RETRIES) {
      const wait = retryAfter(response);
      if (!waited) waiting += 1;
      waited = true;
      tell(wait);
      try {
        await sleep(wait * 1000 + Math.random() * 500, init.signal);
      } catch (error) {
        answered(waited);
        throw error;
      }
      continue;
    }
    answered(waited);
    return handle(response);
  }
}

export async function postJSON(url, body, { signal } = {}) {
  return send(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

export async function postForm(url, form, { signal } = {}) {
  return send(url, { method: "POST", body: form, signal });
}

/** A lab request about a model: a preset's as JSON, or uploaded weights' as the API takes them
 * (the .npz in `weights`, the rest of the body as JSON in `config`). */
export async function postModel(url, { file, preset, config }) {
  if (!file) return postJSON(url, { preset, ...config });
  const form = new FormData();
  form.append("weights", file);
  form.append("config", JSON.stringify(config));
  return postForm(url, form);
}

export async function getJSON(url) {
  return send(url, { headers: { Accept: "application/json" } });
}
