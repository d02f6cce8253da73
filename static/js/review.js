// The review screen: show the next due card, type an answer first (A), reveal on Space/Enter (or
// Ctrl+Enter from the answer box), see the key points it covered and a suggested rating, rate with
// 1-4, undo with Ctrl+Z; suspend (!), flag (Ctrl+1..4) and note the card. With nothing left:
// study more new cards today, or review ahead.
// Every rating carries an idempotency key made when the card is shown, so a retry after a network
// error (or a double press) is recorded once by the server. Undo names the rating by that key, so
// it only ever takes back a rating this screen made (never a quiz's, nor another tab's).
import { api } from "./api.js";
import { badges, lazyNoteEditor, marksControls, showNote } from "./marks.js";
import { markScrollable } from "./overflow.js";
import { recallBox } from "./recall.js";

const root = document.querySelector("[data-review]");
const $ = (hook) => root.querySelector(`[data-${hook}]`);
const mode = root.dataset.mode;
const sessionStart = new Date().toISOString();

// What the server stored this session, by idempotency key: a replayed key counts once, an undone
// one not at all, so the summary's numbers are the stored log's. `history` orders the keys for undo.
const session = { stored: new Map(), history: [] };
const RATINGS = ["", "Again", "Hard", "Good", "Easy"];
let current = null; // { next, key, shownAt, revealed, suggested }
let busy = false;

const slug = () => current?.next.card.slug;
const recall = recallBox(root.querySelector("[data-recall-box]"), root.querySelector("[data-recall-result]"), {
  onReveal: (what) => (what === "reveal" ? reveal() : $("reveal").focus()),
  onSuggest: showSuggestion,
});
const marks = marksControls(root.querySelector("[data-marks]"), root.querySelector("[data-marks-status]"), {
  slug,
  onChange: (m, change) => {
    $("marks-badges").innerHTML = badges(m);
    // A suspended card leaves the queue at once: go on to the next one.
    if (change.suspended === true) load();
  },
});
const noteSection = root.querySelector("[data-note]");
lazyNoteEditor(noteSection, { slug });

function showSuggestion(rating) {
  if (current) current.suggested = rating;
  for (const button of root.querySelectorAll("[data-rating]")) {
    const on = Number(button.dataset.rating) === rating;
    button.classList.toggle("suggested", on);
    const tag = button.querySelector(".suggestion-tag");
    if (on && !tag) button.insertAdjacentHTML("beforeend", '<span class="suggestion-tag">Suggested</span>');
    if (!on && tag) tag.remove();
  }
}

function rawKey() {
  if (crypto.randomUUID) return crypto.randomUUID().replaceAll("-", "");
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function renderCounts(counts, raisedTo) {
  // A raised limit is said, so a learner who set 5 a day knows why 7 new cards came.
  const limit = raisedTo ? ` (limit raised to ${raisedTo} a day for your interview)` : "";
  const parts = [`${plural(counts.due_now, "card")} due now`, `${counts.new_left} new left today${limit}`];
  if (counts.due_today > counts.due_now) parts.push(`${counts.due_today - counts.due_now} more later today`);
  $("counts").textContent = parts.join(" · ");
}

function formatTime(ms) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function totals() {
  const rows = [...session.stored.values()];
  return {
    count: rows.length,
    recalled: rows.filter((r) => r.rating > 1).length,
    ms: rows.reduce((sum, r) => sum + r.ms, 0),
  };
}

function setUndoable() {
  $("undo").disabled = session.history.length === 0;
}

function showStudyMore(next) {
  const c = next.counts;
  const more = mode === "due" && c.new_waiting > 0;
  $("study-more").hidden = !more;
  if (more) {
    $("more-text").textContent = `You have reached today's limit of new cards; ${plural(c.new_waiting, "new card")} ${c.new_waiting === 1 ? "is" : "are"} waiting.`;
  }
  const ahead = mode !== "mistakes" && c.due_ahead > 0 && c.due_now === 0;
  $("ahead-box").hidden = !ahead;
  if (ahead) {
    $("ahead-text").textContent = `${plural(c.due_ahead, "card")} ${c.due_ahead === 1 ? "falls" : "fall"} due in the next 7 days. Reviewing early counts for a little less, as FSRS knows.`;
  }
}

async function extend() {
  try {
    const result = await api("/api/study/extend", { method: "POST", body: JSON.stringify({ new_cards: 5 }) }, 1);
    showError("");
    await load();
    $("counts").textContent += ` · ${result.extra_today} extra new cards today`;
  } catch (error) {
    showError(`No more new cards were added: ${error.message}`);
  }
}

function showSummary(next) {
  current = null; // the last card is gone: keys 1-4 rate nothing now
  $("card").hidden = true;
  $("rate").hidden = true;
  $("summary").hidden = false;
  const { count, recalled, ms } = totals();
  $("sum-count").textContent = String(count);
  $("sum-accuracy").textContent = count ? `${Math.round((100 * recalled) / count)}%` : "—";
  $("sum-time").textContent = formatTime(ms);
  const title = $("summary-title");
  const empty = { mistakes: "No mistakes to review", ahead: "Nothing is due in the next 7 days" };
  title.textContent = count ? "Done for now" : empty[mode] || "Nothing is due";
  const due = next.next_due ? new Date(next.next_due) : null;
  $("next-due").textContent = due
    ? `The next card is due ${due.toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" })}.`
    : "No card is scheduled yet: start with a new one from the deck.";
  showStudyMore(next);
  title.focus();
}

function showCard(next) {
  const card = next.card;
  current = { next, key: rawKey(), shownAt: performance.now(), revealed: false, suggested: null };
  recall.reset();
  root.querySelector("[data-recall-box]").hidden = false;
  marks.show({ suspended: false, flag: next.flag });
  $("marks-badges").innerHTML = badges({ suspended: false, flag: next.flag });
  root.querySelector("[data-marks-status]").textContent = "";
  showNote(noteSection, next.note);
  $("summary").hidden = true;
  $("card").hidden = false;
  $("rate").hidden = true;
  $("answer").hidden = true;
  $("reveal").hidden = false;
  $("reveal").setAttribute("aria-expanded", "false");
  $("number").textContent = `Question ${card.number}`;
  $("stage").textContent = next.is_new ? "· new card" : `· ${next.stage}`;
  // In (re)learning the review model's recall reads ~100% minutes after a failure: the stage says more.
  const learning = next.stage === "learning" || next.stage === "relearning";
  $("recall").textContent =
    next.retrievability == null || learning ? "" : `· predicted recall now ${Math.round(next.retrievability * 100)}%`;
  $("question").innerHTML = card.question.html; // server-rendered from reviewed card files
  $("short").innerHTML = card.short_answer.html;
  $("full").innerHTML = card.full_answer.html;
  $("points").innerHTML = card.key_points.map((p) => `<li>${p.html}</li>`).join("");
  $("card-link").href = card.url;
  $("lab-link").href = card.lab_url;
  $("leech").hidden = !next.leech;
  $("lapses").textContent = String(next.lapses);
  $("leech-lab").href = card.lab_url;
  for (const button of next.buttons) {
    root.querySelector(`[data-interval="${button.rating}"]`).textContent = button.interval;
  }
  markScrollable(root);
  $("reveal").focus();
}

async function load() {
  const params = new URLSearchParams({ mode });
  if (mode === "mistakes") {
    params.set("since", sessionStart);
    params.set("days", root.dataset.days || "7");
  } else if (mode === "ahead") {
    params.set("days", "7");
  }
  try {
    const next = await api(`/api/review/next?${params}`, {}, 3);
    renderCounts(next.counts, next.new_limit_raised_to);
    showError("");
    if (next.card) showCard(next);
    else showSummary(next);
  } catch (error) {
    showError(`Could not load the next card: ${error.message}`);
  }
}

async function reveal() {
  if (!current || current.revealed) return;
  current.revealed = true;
  const shown = current;
  $("answer").hidden = false;
  $("reveal").hidden = true;
  $("reveal").setAttribute("aria-expanded", "true");
  $("rate").hidden = false;
  markScrollable(root);
  root.querySelector('[data-rating="3"]').focus({ preventScroll: true });
  keepAnswerInView();
  const ms = Math.round(performance.now() - shown.shownAt);
  const found = await recall.check(shown.next.card.slug, ms);
  // Focus the suggested rating, unless the learner has moved on meanwhile.
  if (found && current === shown && shown.suggested) {
    root.querySelector(`[data-rating="${shown.suggested}"]`).focus({ preventScroll: true });
  }
}

// On a phone the rating buttons sit fixed at the bottom: make sure the answer's first lines are
// visible above them rather than scrolled away or hidden under the bar.
function keepAnswerInView() {
  const rate = $("rate");
  const fixed = getComputedStyle(rate).position === "fixed";
  const bottom = window.innerHeight - (fixed ? rate.offsetHeight : 0);
  const top = $("answer").getBoundingClientRect().top;
  if (top < 0 || top > bottom - 64) window.scrollBy(0, top - 12);
}

async function rate(rating) {
  if (!current || !current.revealed || busy) return;
  busy = true;
  const durationMs = Math.min(Math.round(performance.now() - current.shownAt), 3_600_000);
  const body = {
    card: current.next.card.slug,
    rating,
    duration_ms: durationMs,
    idempotency_key: current.key,
  };
  const typed = recall.answer();
  if (typed) {
    body.answer = typed;
    const points = recall.points();
    if (points) body.answer_points = points;
  }
  try {
    // Safe to retry: the idempotency key makes a repeated POST record one review.
    const saved = await api("/api/reviews", { method: "POST", body: JSON.stringify(body) }, 3);
    if (!session.stored.has(current.key)) {
      session.stored.set(current.key, { rating: saved.rating, ms: durationMs, number: current.next.card.number });
      session.history.push(current.key);
    }
    setUndoable();
    await load();
  } catch (error) {
    showError(`Your rating was not saved: ${error.message} Press ${rating} to try again.`);
  } finally {
    busy = false;
  }
}

async function undo() {
  if (busy || $("undo").disabled) return; // a disabled button means the shortcut does nothing too
  const key = session.history.at(-1);
  if (!key) return;
  busy = true;
  try {
    const result = await api("/api/reviews/undo", { method: "POST", body: JSON.stringify({ idempotency_key: key }) }, 1);
    const { number } = session.stored.get(key);
    session.stored.delete(key);
    session.history.pop();
    setUndoable();
    showError("");
    await load();
    $("counts").textContent += ` · undid ${RATINGS[result.rating]} on question ${number}`;
  } catch (error) {
    if (error.status === 409) {
      // Refused for good (rated again elsewhere since, or already undone): it stays stored.
      session.history.pop();
      setUndoable();
    }
    showError(`Nothing was undone: ${error.message}`);
  } finally {
    busy = false;
  }
}

$("reveal").addEventListener("click", reveal);
$("extend").addEventListener("click", extend);
$("undo").addEventListener("click", undo);
for (const button of root.querySelectorAll("[data-rating]")) {
  button.addEventListener("click", () => rate(Number(button.dataset.rating)));
}

document.addEventListener("keydown", (event) => {
  if (event.target.closest?.("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
  if (current && !$("card").hidden && marks.onKey(event)) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    if ($("undo").disabled) return; // nothing of this screen's to undo: leave the key alone
    event.preventDefault();
    undo();
    return;
  }
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const onControl = event.target.closest?.("a, button, summary");
  if ((event.key === "a" || event.key === "A") && !event.shiftKey && current && !current.revealed && !onControl?.matches("a")) {
    event.preventDefault();
    recall.open();
  } else if ((event.key === " " || event.key === "Enter") && current && !current.revealed) {
    if (onControl && !onControl.matches("[data-reveal]")) return;
    event.preventDefault();
    reveal();
  } else if (["1", "2", "3", "4"].includes(event.key) && current?.revealed) {
    event.preventDefault();
    rate(Number(event.key));
  }
});

load();
