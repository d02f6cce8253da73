// Shared by the quiz and the mock interview: JSON calls to the API, and a countdown that shows
// the server's clock. The server says how many seconds are left; the page counts down from that
// with the monotonic clock and is re-synced whenever a response brings a new figure.

export { api } from "./api.js";

export function formatClock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export const WARN_AT = 15; // seconds: the polite warning before the end

export class Countdown {
  // display: the element showing m:ss; bar: an optional <progress>; onWarn and onEnd run once.
  constructor({ display, bar, total, onWarn, onEnd }) {
    this.display = display;
    this.bar = bar;
    this.total = total;
    this.onWarn = onWarn;
    this.onEnd = onEnd;
    this.endsAt = null;
    this.warned = false;
    this.ended = false;
    this.timer = null;
  }

  sync(remainingSeconds, total = this.total) {
    this.total = total;
    this.endsAt = performance.now() + remainingSeconds * 1000;
    this.warned = remainingSeconds <= WARN_AT && this.warned;
    this.ended = false;
    if (!this.timer) this.timer = setInterval(() => this.tick(), 250);
    this.tick();
  }

  remaining() {
    return this.endsAt === null ? Infinity : Math.max(0, (this.endsAt - performance.now()) / 1000);
  }

  tick() {
    const left = this.remaining();
    this.display.textContent = formatClock(left);
    if (this.bar && this.total) {
      this.bar.max = this.total;
      this.bar.value = left;
    }
    if (!this.warned && left <= WARN_AT && left > 0) {
      this.warned = true;
      this.onWarn?.(left);
    }
    if (!this.ended && left <= 0) {
      this.ended = true;
      this.stop();
      this.onEnd?.();
    }
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
