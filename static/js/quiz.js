// The quiz attempt page: one item at a time, the server's clock counting down, keyboard first
// (1-4 or arrows choose, T/F for true or false, Enter submits, S skips). Exam mode moves on after
// each answer; practice mode shows the feedback first. At the deadline the quiz closes and the
// results open. Nothing correct is in the page until the server sends it.
import { markScrollable } from "./overflow.js";
import { api, Countdown, sleep } from "./quiz-common.js";

const root = document.querySelector("[data-quiz]");
const $ = (hook) => root.querySelector(`[data-${hook}]`);
const id = root.dataset.id;
const practice = root.dataset.mode === "practice";
const form = $("item-form");
const KIND_NAMES = {
  mcq: "Multiple choice",
  true_false: "True or false",
  computed: "Computed",
};

let attempt = null;
let shown = null; // index of the item on screen
let busy = false;
let closing = false;

const countdown = new Countdown({
  display: $("timer"),
  bar: $("time-bar"),
  onWarn: () => {
    $("warning").hidden = false;
    announce("15 seconds left.");
  },
  onEnd: () => closeQuiz("Time is up."),
});

function announce(message) {
  const region = $("announce");
  region.textContent = "";
  // A fresh node each time, so the same words are read again.
  setTimeout(() => (region.textContent = message), 50);
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function openItems() {
  return attempt.items.filter((item) => item.state === "open").map((item) => item.index);
}

function nextOpen(after) {
  const open = openItems();
  return open.find((k) => k > after) ?? open[0] ?? null;
}

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// The learner's answer as HTML (an option's text is server-rendered, with its maths).
function describeGiven(item) {
  if (item.given === null || item.given === undefined) return "";
  if (item.answer_type === "boolean") return item.given ? "True" : "False";
  if (item.answer_type === "number") return escapeText(String(item.given));
  const option = item.options[item.given];
  return option ? `${item.given + 1}: ${option.text.html}` : ""; // numbered as the keys 1-4 choose
}

function renderNav() {
  const list = $("item-nav");
  list.replaceChildren(
    ...attempt.items.map((item) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = `nav-item state-${item.state}`;
      let status = item.state === "open" ? "not answered" : "answered";
      // Until there is feedback (exam mode: until the results) an answered item shows a neutral
      // dot: a ✓ means "correct" in practice mode, so it must not mean "answered" here.
      let mark = item.state === "open" ? "" : " •";
      if (item.feedback) {
        const right = item.feedback.outcome === "correct";
        status = right ? "correct" : "wrong";
        mark = right ? " ✓" : " ✗";
        button.classList.add(right ? "is-right" : "is-wrong");
      }
      button.textContent = `${item.index + 1}${mark}`;
      button.setAttribute("aria-label", `Item ${item.index + 1}, ${status}`);
      if (item.index === shown) button.setAttribute("aria-current", "step");
      button.addEventListener("click", () => showItem(item.index, true));
      li.append(button);
      return li;
    }),
  );
}

function choiceLabel(item, option, index) {
  const label = document.createElement("label");
  label.className = "choice";
  const input = document.createElement("input");
  input.type = "radio";
  input.name = "answer";
  const key = document.createElement("kbd");
  const text = document.createElement("span");
  text.className = "choice-text";
  if (item.answer_type === "boolean") {
    input.value = index === 0 ? "true" : "false";
    key.textContent = index === 0 ? "T" : "F";
  } else {
    input.value = String(index);
    key.textContent = String(index + 1);
  }
  text.innerHTML = option.text.html; // server-rendered from reviewed card files
  label.append(input, key, text);
  return label;
}

function showItem(index, focus = false) {
  shown = index;
  const item = attempt.items[index];
  form.hidden = false;
  $("all-done").hidden = true;
  $("item-label").textContent =
    `Item ${index + 1} of ${attempt.items.length} · ${KIND_NAMES[item.kind] || item.kind}`;
  $("prompt").innerHTML = item.prompt.html;
  const choices = $("choices");
  const isNumber = item.answer_type === "number";
  choices.hidden = isNumber;
  choices.replaceChildren();
  if (!isNumber) {
    const legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = "Options";
    choices.append(legend, ...item.options.map((o, i) => choiceLabel(item, o, i)));
  }
  $("number-field").hidden = !isNumber;
  $("number").value = isNumber && item.given != null ? String(item.given) : "";
  $("number-error").hidden = true;
  $("number").removeAttribute("aria-invalid");
  $("tolerance").textContent = isNumber ? toleranceHint(item.tolerance) : "";

  const open = item.state === "open" && !closing;
  for (const input of form.querySelectorAll("input")) input.disabled = !open;
  if (!open && !isNumber && item.given != null) {
    const chosen = form.querySelector(`input[value="${String(item.given)}"]`);
    if (chosen) chosen.checked = true;
  }
  $("submit").hidden = !open;
  $("skip").hidden = !open || openItems().length < 2;
  const locked = $("locked");
  locked.hidden = open;
  locked.innerHTML =
    item.state === "timed_out" ? "Timed out." : open ? "" : `Your answer: ${describeGiven(item)}`;
  renderFeedback(item);
  markScrollable(form); // a wide formula in the prompt or worked solution scrolls, by keyboard too
  $("next").hidden = open || nextOpen(index) === null;
  renderNav();
  if (focus) focusItem(item, open);
}

function focusItem(item, open) {
  if (!open) {
    ($("next").hidden ? $("item-label") : $("next")).focus?.();
    return;
  }
  if (item.answer_type === "number") $("number").focus();
  else (form.querySelector("input:checked") || form.querySelector("input[name=answer]"))?.focus();
}

function whyList(item) {
  const fb = item.feedback;
  const list = document.createElement("ul");
  list.className = "whys";
  item.options.forEach((option, i) => {
    const li = document.createElement("li");
    const right = fb.expected === i;
    const chosen = item.given === i;
    li.className = `${right ? "is-right" : ""} ${chosen ? "is-chosen" : ""}`.trim();
    const head = document.createElement("p");
    const tags = [right ? "right answer" : "", chosen ? "your answer" : ""].filter(Boolean);
    head.innerHTML = `<strong>${i + 1}.</strong> ${option.text.html}`;
    if (tags.length) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = ` (${tags.join(", ")})`;
      head.append(tag);
    }
    const why = document.createElement("p");
    why.className = "why";
    why.innerHTML = fb.option_whys[i]?.html ?? "";
    li.append(head, why);
    list.append(li);
  });
  return list;
}

function renderFeedback(item) {
  const box = $("feedback");
  const fb = item.feedback;
  box.hidden = !fb;
  box.replaceChildren();
  if (!fb) return;
  const verdict = document.createElement("p");
  verdict.className = `verdict verdict-${fb.outcome}`;
  verdict.textContent =
    { correct: "✓ Correct.", wrong: "✗ Not quite.", timed_out: "⏱ Timed out.", skipped: "Skipped." }[
      fb.outcome
    ] || "";
  box.append(verdict);
  if (item.answer_type === "boolean") {
    const p = document.createElement("p");
    p.textContent = `The statement is ${fb.expected ? "true" : "false"}.`;
    box.append(p);
  } else if (item.answer_type === "number") {
    const p = document.createElement("p");
    p.textContent = fb.tolerance
      ? `The answer is ${fb.expected} (accepted within ±${fb.tolerance}).`
      : `The answer is ${fb.expected} (exactly).`;
    box.append(p);
  } else {
    box.append(whyList(item));
  }
  if (fb.explanation) {
    const p = document.createElement("div");
    p.className = "prose explanation";
    p.innerHTML = fb.explanation.html;
    box.append(p);
  }
  if (fb.card) {
    const links = document.createElement("p");
    links.className = "item-links";
    const card = document.createElement("a");
    card.href = fb.card.url;
    card.innerHTML = `Card ${fb.card.number}: ${fb.card.question.html}`; // server-rendered
    const lab = document.createElement("a");
    lab.href = fb.card.lab_url;
    lab.textContent = "Open its lab preset";
    links.append(card, " · ", lab);
    box.append(links);
  }
}

function showAllDone() {
  form.hidden = true;
  shown = null;
  renderNav();
  $("all-done").hidden = false;
  $("finish").classList.add("primary");
  $("all-done-title").focus();
}

function apply(next) {
  attempt = next;
  if (attempt.status === "finished") {
    window.location.assign(attempt.results_url);
    return false;
  }
  countdown.sync(attempt.remaining_s, attempt.time_limit_s * attempt.items.length);
  return true;
}

async function load() {
  try {
    if (!apply(await api(`/api/quizzes/${id}`))) return;
    showError("");
    const start = attempt.current;
    if (start === null) showAllDone();
    else showItem(start, true);
  } catch (error) {
    showError(`Could not load the quiz: ${error.message}`);
  }
}

function toleranceHint(tolerance) {
  return tolerance
    ? `A number; answers within ±${tolerance} count as right.`
    : "A whole number; only the exact answer counts.";
}

function readAnswer(item) {
  if (item.answer_type === "number") {
    let raw = $("number").value.trim().replace(/\u2212/g, "-");
    // A whole-number answer may be typed with thousands separators (256,512 or 256 512);
    // otherwise a comma is a decimal point (0,42).
    raw = item.tolerance === 0 ? raw.replace(/[\s,_']/g, "") : raw.replace(",", ".");
    const value = raw === "" ? NaN : Number(raw);
    if (!Number.isFinite(value)) {
      $("number-error").textContent = "Enter a number, such as 0.42 or -1.3.";
      $("number-error").hidden = false;
      $("number").setAttribute("aria-invalid", "true");
      $("number").focus();
      return undefined;
    }
    return value;
  }
  const chosen = form.querySelector("input[name=answer]:checked");
  if (!chosen) {
    announce("Choose an option first.");
    form.querySelector("input[name=answer]")?.focus();
    return undefined;
  }
  if (item.answer_type === "boolean") return chosen.value === "true";
  return Number(chosen.value);
}

async function submit() {
  if (busy || closing || shown === null) return;
  const item = attempt.items[shown];
  if (item.state !== "open") return;
  const answer = readAnswer(item);
  if (answer === undefined) return;
  busy = true;
  const index = shown;
  try {
    const result = await api(`/api/quizzes/${id}/answers`, {
      method: "POST",
      body: JSON.stringify({ item: index, answer }),
    });
    if (!apply(result.attempt)) return;
    showError("");
    if (practice) {
      showItem(index);
      const outcome = result.feedback?.outcome === "correct" ? "Correct." : "Not quite.";
      announce(outcome);
      $("feedback").focus();
      if ($("next").hidden && openItems().length === 0) showAllDoneSoon();
    } else {
      announce("Answer saved.");
      advance(index);
    }
  } catch (error) {
    if (error.status === 410) {
      closeQuiz("Time is up: that answer came after the deadline and was not counted.");
    } else {
      showError(`Your answer was not saved: ${error.message}`);
      if (error.status === 409) await load();
    }
  } finally {
    busy = false;
  }
}

function showAllDoneSoon() {
  // Practice: the last feedback stays on screen; the finish button becomes the next step.
  $("finish").classList.add("primary");
}

function advance(from) {
  const next = nextOpen(from);
  if (next === null) showAllDone();
  else showItem(next, true);
}

async function closeQuiz(message) {
  if (closing) return;
  closing = true;
  countdown.stop();
  $("timer").textContent = "0:00";
  for (const control of root.querySelectorAll("input, button")) control.disabled = true;
  announce(`${message} Opening your results.`);
  showError("");
  for (let i = 0; i < 20; i++) {
    try {
      const state = await api(`/api/quizzes/${id}`);
      if (state.status === "finished") {
        window.location.assign(state.results_url);
        return;
      }
      await sleep(Math.max(250, state.remaining_s * 1000));
    } catch (error) {
      showError(`Could not load your results: ${error.message}`);
      await sleep(1000);
    }
  }
}

async function finish(event) {
  event.preventDefault();
  if (busy || closing) return;
  const open = openItems().length;
  if (open && !window.confirm(`${open} item${open === 1 ? " is" : "s are"} not answered and will count as skipped. Finish now?`)) {
    return;
  }
  busy = true;
  try {
    const state = await api(`/api/quizzes/${id}/finish`, { method: "POST", body: "{}" });
    closing = true;
    countdown.stop();
    window.location.assign(state.results_url);
  } catch (error) {
    showError(`The quiz was not finished: ${error.message}`);
  } finally {
    busy = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
$("skip").addEventListener("click", () => advance(shown));
$("next").addEventListener("click", () => advance(shown));
$("finish-form").addEventListener("submit", finish);

function selectChoice(index) {
  const inputs = [...form.querySelectorAll("input[name=answer]")];
  const input = inputs[index];
  if (!input || input.disabled) return;
  input.checked = true;
  input.focus();
}

function moveChoice(step) {
  const inputs = [...form.querySelectorAll("input[name=answer]")];
  if (!inputs.length || inputs[0].disabled) return;
  const at = inputs.findIndex((input) => input.checked);
  if (at < 0) selectChoice(step > 0 ? 0 : inputs.length - 1);
  else selectChoice((at + step + inputs.length) % inputs.length);
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || closing || shown === null) return;
  const target = event.target;
  if (target.closest?.("textarea, select, [contenteditable]")) return;
  const item = attempt?.items[shown];
  if (!item || form.hidden) return;
  const typing = target === $("number");
  const onControl = target.closest?.("a, button, summary");
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === "Enter") {
    if (onControl) return; // the focused button or link does its own thing
    event.preventDefault();
    if (item.state === "open") submit();
    else if (!$("next").hidden) advance(shown);
    return;
  }
  if (typing || item.state !== "open") return;
  if (item.answer_type === "choice" && ["1", "2", "3", "4"].includes(key)) {
    event.preventDefault();
    selectChoice(Number(key) - 1);
  } else if (item.answer_type === "boolean" && (key === "t" || key === "f")) {
    event.preventDefault();
    selectChoice(key === "t" ? 0 : 1);
  } else if (["ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(key)) {
    if (target.matches?.("input[type=radio]")) return; // the browser moves within the group
    event.preventDefault();
    moveChoice(key === "ArrowDown" || key === "ArrowRight" ? 1 : -1);
  } else if (key === "s" && !$("skip").hidden) {
    event.preventDefault();
    advance(shown);
  }
});

load();
