// JSON calls to the app's API. An error carries the server's message (`detail`) and its status.
// With attempts > 1, network failures, conflicts and 5xx are retried with a short back-off: only
// for calls that are safe to repeat (reads, and writes that carry an idempotency key).
export async function api(path, options = {}, attempts = 1) {
  for (let i = 1; ; i++) {
    try {
      const response = await fetch(path, {
        ...options,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail;
        const error = new Error(detail || `The server answered ${response.status}.`);
        error.status = response.status;
        throw error;
      }
      return body;
    } catch (error) {
      const retriable = !error.status || error.status === 409 || error.status >= 500;
      if (!retriable || i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 400 * i));
    }
  }
}
