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

export async function postJSON(url, body, { signal } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("The server could not be reached. Check the connection and try again.", 0, null);
  }
  return handle(response);
}

export async function postForm(url, form, { signal } = {}) {
  let response;
  try {
    response = await fetch(url, { method: "POST", body: form, credentials: "same-origin", signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("The server could not be reached. Check the connection and try again.", 0, null);
  }
  return handle(response);
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  return handle(response);
}
