// One heatmap: units (rows) × time steps (columns) on a canvas, drawn as an image of T × H
// pixels scaled up without smoothing, with the selected step, unit and cell drawn over it.
// The canvas is focusable: arrow keys move the selection (main.js decides what that means);
// the same numbers are in the table alternative below the heatmaps.

import { extent, legend, palettes, position, scaleFor } from "./palette.js";

const GUTTER = 30; // px at the left for unit numbers
const CHAR_W = 14; // px per column in the text view: one readable character per step
const AXIS_H = 18; // px under the rows for the characters
// On a touch screen every square is a finger-sized target (WCAG 2.5.8: at least 24 × 24 px); the
// heatmap then scrolls sideways inside its own box instead of shrinking its squares.
const TAP = 24;
const coarse = window.matchMedia("(pointer: coarse), (max-width: 480px)");

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

export class Heatmap {
  /**
   * name: the quantity ("f", "c", ...); title: its heading; kind: "gate" | "bounded" | "signed";
   * values: T × H; on: {hover(name, t, u), leave(name), select(name, t, u), key(name, event)}.
   */
  constructor({ name, title, description, kind, values, rowHeight, labels, on }) {
    this.name = name;
    this.labels = labels ?? null; // text view: the characters under the columns
    this.kind = kind;
    this.on = on;
    this.rowHeightMax = rowHeight ?? 12;
    this.selection = { t: 0, u: 0 };
    this.evidence = null;

    this.element = document.createElement("figure");
    this.element.className = `heatmap heatmap-${kind}`;
    this.element.dataset.quantity = name;
    const caption = document.createElement("figcaption");
    const heading = document.createElement("span");
    heading.className = "heatmap-title";
    heading.textContent = title;
    this.legendSlot = document.createElement("div");
    this.legendSlot.className = "legend-slot";
    caption.append(heading, this.legendSlot);
    this.canvas = document.createElement("canvas");
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "application");
    this.canvas.setAttribute("aria-roledescription", "heatmap");
    this.canvas.setAttribute("aria-label", `${title}. ${description} Arrow keys move the selected cell; its value and equation are read out under “The selected value”.`);
    this.canvas.dataset.heatmap = name;
    this.element.append(caption, this.canvas);

    this.canvas.addEventListener("mousemove", (e) => {
      const cell = this.cellAt(e);
      if (cell) this.on.hover?.(this.name, cell.t, cell.u);
    });
    this.canvas.addEventListener("mouseleave", () => this.on.leave?.(this.name));
    this.canvas.addEventListener("click", (e) => {
      const cell = this.cellAt(e);
      if (cell) this.on.select?.(this.name, cell.t, cell.u);
    });
    this.canvas.addEventListener("keydown", (e) => this.on.key?.(this.name, e));
    this.canvas.addEventListener("focus", () => this.on.focus?.(this.name));
    this.setData(values);
  }

  setData(values) {
    this.values = values;
    this.T = values.length;
    this.H = values[0]?.length ?? 0;
    this.scale = scaleFor(this.kind, values);
    this.legendSlot.replaceChildren(legend(this.scale, extent(values)));
    this.image = null;
    this.draw();
  }

  /** Rebuild colours (after a theme change) and redraw. */
  recolour() {
    this.legendSlot.replaceChildren(legend(this.scale, extent(this.values)));
    this.image = null;
    this.draw();
  }

  rowHeight() {
    if (coarse.matches) return TAP;
    return Math.max(3, Math.min(this.rowHeightMax, Math.floor(200 / Math.max(this.H, 1))));
  }

  cellAt(event) {
    const box = this.canvas.getBoundingClientRect();
    const x = event.clientX - box.left - GUTTER;
    const y = event.clientY - box.top;
    const width = box.width - GUTTER;
    if (x < 0 || width <= 0) return null;
    if (y >= this.H * this.rowHeight()) return null; // the character axis
    const t = Math.min(this.T - 1, Math.floor((x / width) * this.T));
    const u = Math.min(this.H - 1, Math.floor(y / this.rowHeight()));
    return t >= 0 && u >= 0 ? { t, u } : null;
  }

  /** The T × H picture at one pixel per cell, coloured once per data or theme change. */
  picture() {
    if (this.image) return this.image;
    const { gate, signed } = palettes();
    const lut = this.kind === "gate" ? gate : signed;
    const off = document.createElement("canvas");
    off.width = this.T;
    off.height = this.H;
    const ctx = off.getContext("2d");
    const img = ctx.createImageData(this.T, this.H);
    for (let t = 0; t < this.T; t++) {
      const row = this.values[t];
      for (let u = 0; u < this.H; u++) {
        const k = position(this.scale, row[u]) * 3;
        const p = (u * this.T + t) * 4;
        img.data[p] = lut[k];
        img.data[p + 1] = lut[k + 1];
        img.data[p + 2] = lut[k + 2];
        img.data[p + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    this.image = off;
    return off;
  }

  draw(selection = this.selection, evidence = this.evidence) {
    this.selection = selection;
    this.evidence = evidence;
    const room = this.canvas.parentElement?.clientWidth || this.element.clientWidth || 600;
    const column = coarse.matches ? TAP : this.labels ? CHAR_W : 0;
    const width = Math.max(120, room, GUTTER + this.T * column);
    const rh = this.rowHeight();
    const height = rh * this.H + (this.labels ? AXIS_H : 0);
    this.element.classList.toggle("is-scrollable", width > room);
    if (width > room) this.canvas.style.width = `${width}px`;
    else this.canvas.style.removeProperty("width");
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = false;
    const plotW = width - GUTTER;
    const cw = plotW / this.T;
    const rowsH = rh * this.H;
    ctx.drawImage(this.picture(), GUTTER, 0, plotW, rowsH);
    if (this.labels) {
      // The text as the x axis: each character under its own column.
      ctx.fillStyle = cssVar("--text");
      ctx.font = "12px ui-monospace, monospace";
      ctx.textAlign = "center";
      ctx.textBaseline = "alphabetic";
      this.labels.forEach((ch, t) => {
        const shown = ch === " " ? "␣" : ch === "\n" ? "↵" : ch;
        ctx.fillText(shown, GUTTER + (t + 0.5) * cw, rowsH + 13);
      });
    }

    // Unit numbers, as many as fit.
    ctx.fillStyle = cssVar("--muted");
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const every = Math.max(1, Math.ceil(12 / rh));
    for (let u = 0; u < this.H; u++) {
      if (u % every === 0 || u === this.H - 1) {
        if (u === this.H - 1 && u % every !== 0 && (u % every) * rh < 12) continue;
        ctx.fillText(String(u + 1), GUTTER - 5, u * rh + rh / 2);
      }
    }

    const text = cssVar("--text");
    const bg = cssVar("--surface");
    if (evidence && evidence.unit !== null && evidence.unit !== undefined) {
      const first = Math.min(...evidence.steps);
      const last = Math.max(...evidence.steps);
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = cssVar("--focus");
      ctx.strokeRect(GUTTER + first * cw - 1, evidence.unit * rh - 2, (last - first + 1) * cw + 2, rh + 4);
      ctx.setLineDash([]);
    }
    const { t, u } = selection;
    // The selected step: a column outline; the selected unit: a marker in the gutter.
    ctx.lineWidth = 1;
    ctx.strokeStyle = text;
    ctx.globalAlpha = 0.55;
    ctx.strokeRect(GUTTER + t * cw + 0.5, 0.5, Math.max(cw - 1, 1), rowsH - 1);
    ctx.globalAlpha = 1;
    ctx.fillStyle = text;
    ctx.beginPath();
    ctx.moveTo(GUTTER - 1, u * rh + rh / 2);
    ctx.lineTo(GUTTER - 5, u * rh + rh / 2 - 4);
    ctx.lineTo(GUTTER - 5, u * rh + rh / 2 + 4);
    ctx.fill();
    // The selected cell: a double outline that shows on any colour.
    ctx.lineWidth = 3;
    ctx.strokeStyle = bg;
    ctx.strokeRect(GUTTER + t * cw - 1, u * rh - 1, cw + 2, rh + 2);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = text;
    ctx.strokeRect(GUTTER + t * cw - 1, u * rh - 1, cw + 2, rh + 2);
  }
}

export const HEATMAP_GUTTER = GUTTER;
