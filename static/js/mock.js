// The mock interview: one question at a time with its own clock (the server's), a text box
// whose draft is kept in this browser, and an automatic hand-in when the clock runs out. Once
// every question is closed the page reloads into the server-rendered checklist.
import { api, Countdown } from "./quiz-common.js";

const root = document.querySelector("[data-mock]");
const $ = (hook) => root.querySelector(`[data-${hook}]`);
const id = root.dataset.id;
const form = $("mock-form");
const box = $("answer");

let attempt = null;
let current = null;
let busy = false;

const countdown = new Countdown({
  display: $("timer"),
  bar: $("time-bar"),
  onWarn: () => {
    $("warning").hidden = false;
    announce("15 seconds left for this question.");
  },
  onEnd: () => send(box.value, "Time is up for this question: your answer so far was handed in."),
});

function announce(message) {
  const region = $("announce");
  region.textContent = "";
  setTimeout(() => (region.textContent = message), 50);
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

const draftKey = (k) => `mock-draft-${id}-${k}`;

function saveDraft() {
  try {
    if (current !== null) localStorage.setItem(draftKey(current), box.value);
  } catch {
    // No storage: the draft lives only in the text box.
  }
}

function loadDraft(k) {
  try {
    return localStorage.getItem(draftKey(k)) || "";
  } catch {
    return "";
  }
}

function dropDraft(k) {
  try {
    localStorage.removeItem(draftKey(k));
  } catch {
    // Nothing stored.
  }
}

function apply(next) {
  attempt = next;
  if (attempt.status === "finished") {
    window.location.assign(attempt.results_url);
    return false;
  }
  if (attempt.status === "review" || attempt.current === null) {
    window.location.reload(); // the server renders the key-point checklist
    return false;
  }
  const changed = current !== attempt.current;
  current = attempt.current;
  const item = attempt.items[current];
  if (changed) {
    $("progress").textContent = `Question ${current + 1} of ${attempt.items.length}`;
    $("question").innerHTML = item.prompt.html; // server-rendered from reviewed card files
    box.value = loadDraft(current);
    $("warning").hidden = true;
  }
  form.hidden = false;
  countdown.sync(attempt.current_remaining_s, attempt.time_limit_s);
  if (changed) {
    announce(`Question ${current + 1} of ${attempt.items.length}.`);
    box.focus();
  }
  return true;
}

async function load() {
  try {
    apply(await api(`/api/quizzes/${id}`));
    showError("");
  } catch (error) {
    showError(`Could not load the interview: ${error.message}`);
  }
}

async function send(text, message = "") {
  if (busy || current === null) return;
  busy = true;
  const index = current;
  try {
    const result = await api(`/api/quizzes/${id}/answers`, {
      method: "POST",
      body: JSON.stringify({ item: index, answer: text }),
    });
    dropDraft(index);
    showError("");
    if (message) announce(message);
    apply(result.attempt);
  } catch (error) {
    if (error.status === 410) {
      dropDraft(index);
      announce("Time ran out for that question; what you wrote is kept and marked as timed out.");
    } else {
      showError(`Your answer was not saved: ${error.message}`);
    }
    if (error.status === 410 || error.status === 409) await load();
  } finally {
    busy = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send(box.value);
});
$("skip").addEventListener("click", () => send(""));
box.addEventListener("input", saveDraft);
box.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    send(box.value);
  }
});

load();
