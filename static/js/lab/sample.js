// Sample from the character model: POST /api/lab/sample, then every generated character
// coloured by the probability the model gave it. Clicking a character opens the gates at the
// step that produced it (the text up to it, run through the lab).

import { ApiError, postModel } from "./api.js";
import { css, fmt, legend } from "./palette.js";

const SCALE = { kind: "gate", min: 0, max: 1 };

/** Black or white text on a background, whichever contrasts more (WCAG relative luminance). */
function inkOn(colour) {
  const [r, g, b] = colour.match(/\d+/g).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? "is-light" : "is-dark";
}

function show(ch) {
  return ch === " " ? "space" : ch === "\n" ? "newline" : `“${ch}”`;
}

export class SampleView {
  /** root: #view-sample; onOpen(text, step): show the gates for `text` at 1-based `step`. */
  constructor(root, { onOpen, onChange }) {
    this.root = root;
    this.onOpen = onOpen;
    this.onChange = onChange;
    this.form = root.querySelector("[data-sample-form]");
    this.prime = root.querySelector("#sample-prime");
    this.length = root.querySelector("#sample-length");
    this.temperature = root.querySelector("#sample-temperature");
    this.seed = root.querySelector("#sample-seed");
    this.output = root.querySelector("[data-sample-output]");
    this.table = root.querySelector("[data-sample-table]");
    this.error = root.querySelector("[data-sample-error]");
    this.status = root.querySelector("[data-sample-status]");
    this.request = 0;
    this.context = null;
    this.temperature.addEventListener("input", () => this.showTemperature());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.load();
    });
    root.querySelector('[data-action="sample-again"]').addEventListener("click", () => {
      this.seed.value = String((Number.parseInt(this.seed.value, 10) || 0) + 1);
      this.load();
    });
    root.querySelector("[data-sample-legend]").replaceChildren(legend(SCALE, { min: 0, max: 1 }));
  }

  showTemperature() {
    const t = Number(this.temperature.value);
    this.root.querySelector("[data-temp-out]").textContent = t === 0 ? "0 (greedy)" : t.toFixed(1);
  }

  /** A char run (preset or upload) to sample from; settings from the URL. */
  configure({ run, body, file, prime, length, temperature, seed }) {
    const ok = Boolean(run?.text && run.top5);
    this.context = ok ? { body, file } : null;
    this.root.querySelector("[data-sample-none]").hidden = ok;
    this.form.hidden = !ok;
    if (!ok) return;
    this.prime.value = prime ?? run.text.slice(-40);
    if (length) this.length.value = String(length);
    if (temperature !== undefined && temperature !== null) this.temperature.value = String(temperature);
    if (seed !== undefined && seed !== null) this.seed.value = String(seed);
    this.showTemperature();
  }

  settings() {
    return {
      prime: this.prime.value,
      length: Number.parseInt(this.length.value, 10),
      temperature: Number(this.temperature.value),
      seed: Number.parseInt(this.seed.value, 10) || 0,
    };
  }

  async load() {
    if (!this.context) return;
    const { body, file } = this.context;
    const request = this.settings();
    this.onChange?.(request);
    const id = ++this.request;
    this.status.textContent = "Sampling…";
    try {
      const data = await postModel("/api/lab/sample", { file, preset: body?.preset, config: request });
      if (id !== this.request) return;
      this.error.hidden = true;
      this.render(data);
      const mean = data.chars.reduce((s, c) => s + c.p, 0) / data.chars.length;
      this.status.textContent = `Generated ${data.chars.length} characters; the model gave them ${(mean * 100).toFixed(0)}% on average.`;
    } catch (error) {
      if (id !== this.request || !(error instanceof ApiError)) return;
      this.status.textContent = "";
      this.error.textContent = error.message;
      this.error.hidden = false;
    }
  }

  render(data) {
    const prime = document.createElement("span");
    prime.className = "sample-prime";
    prime.textContent = data.prime;
    const chars = data.chars.map((c, k) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sample-char";
      button.textContent = c.char === "\n" ? "↵" : c.char;
      const colour = css(SCALE, c.p);
      button.style.background = colour;
      button.classList.add(inkOn(colour));
      const top = c.top5.map(([ch, p]) => `${show(ch)} ${(p * 100).toFixed(0)}%`).join(", ");
      button.setAttribute("aria-label", `${show(c.char)}, probability ${(c.p * 100).toFixed(0)}%; top 5: ${top}. Open the gates at this step.`);
      button.title = `${(c.p * 100).toFixed(1)}% · top 5: ${top}`;
      button.addEventListener("click", () => {
        const text = data.prime + data.text.slice(0, k);
        // The gates at the step that read the character before this one produced it.
        this.onOpen(text, text.length);
      });
      return button;
    });
    this.output.replaceChildren(prime, ...chars);
    this.table.replaceChildren(this.buildTable(data));
  }

  buildTable(data) {
    const table = document.createElement("table");
    table.className = "values";
    const caption = document.createElement("caption");
    caption.textContent = "Each generated character, its probability and the model's top 5";
    const head = document.createElement("tr");
    for (const text of ["position", "character", "probability", "top 5"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.append(th);
    }
    const thead = document.createElement("thead");
    thead.append(head);
    const body = document.createElement("tbody");
    data.chars.forEach((c, k) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = String(k + 1);
      const cells = [show(c.char), fmt(c.p, 3), c.top5.map(([ch, p]) => `${show(ch)} ${fmt(p, 2)}`).join(", ")];
      tr.append(th, ...cells.map((text) => Object.assign(document.createElement("td"), { textContent: text })));
      body.append(tr);
    });
    table.append(caption, thead, body);
    return table;
  }
}
