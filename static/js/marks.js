// A learner's marks on a card: suspend (!) and flags (Ctrl+1..4, as in Anki), and the note editor.
// Both the card page and the review screen use these; `slug()` names the card currently shown.
import { api } from "./api.js";

const FLAGS = ["red", "orange", "green", "blue"];
const NAMES = { red: "Red", orange: "Orange", green: "Green", blue: "Blue" };

export function badges(marks) {
  const parts = [];
  if (marks.flag) {
    parts.push(`<span class="badge flag flag-${marks.flag}"><span aria-hidden="true">⚑</span> ${NAMES[marks.flag]} flag</span>`);
  }
  if (marks.suspended) parts.push('<span class="badge suspended">Suspended</span>');
  return parts.join(" ");
}

// group: the [data-marks] element; status: a role=status element for messages.
export function marksControls(group, status, { slug, onChange = () => {} }) {
  const suspendButton = group.querySelector("[data-suspend]");
  const label = group.querySelector("[data-suspend-label]");
  let current = {
    suspended: suspendButton.getAttribute("aria-pressed") === "true",
    flag: group.querySelector('[data-flag][aria-pressed="true"]')?.dataset.flag || null,
  };

  function show(marks) {
    current = { suspended: marks.suspended, flag: marks.flag };
    suspendButton.setAttribute("aria-pressed", String(marks.suspended));
    label.textContent = marks.suspended ? "Unsuspend" : "Suspend";
    for (const button of group.querySelectorAll("[data-flag]")) {
      button.setAttribute("aria-pressed", String(button.dataset.flag === marks.flag));
    }
  }

  async function send(change, message) {
    try {
      const marks = await api(`/api/cards/${slug()}/flags`, { method: "PUT", body: JSON.stringify(change) }, 2);
      show(marks);
      status.textContent = message(marks);
      onChange(marks, change);
    } catch (error) {
      status.textContent = `Not saved: ${error.message}`;
    }
  }

  function toggleSuspend() {
    const suspended = !current.suspended;
    send({ suspended }, (m) =>
      m.suspended
        ? "Suspended: this card is out of your reviews and quizzes until you unsuspend it."
        : "Unsuspended: the card is back in your reviews and quizzes.",
    );
  }

  function toggleFlag(flag) {
    const next = current.flag === flag ? null : flag;
    send({ flag: next }, (m) => (m.flag ? `Flagged ${NAMES[m.flag].toLowerCase()}.` : "Flag removed."));
  }

  suspendButton.addEventListener("click", toggleSuspend);
  for (const button of group.querySelectorAll("[data-flag]")) {
    button.addEventListener("click", () => toggleFlag(button.dataset.flag));
  }

  // `!` suspends, Ctrl+1..4 flag red, orange, green, blue (again: clear). Not while typing.
  function onKey(event) {
    if (event.target.closest?.("input:not([type=checkbox]), textarea, select, [contenteditable]")) return false;
    if (event.key === "!" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      toggleSuspend();
      return true;
    }
    if (event.ctrlKey && !event.altKey && !event.metaKey && ["1", "2", "3", "4"].includes(event.key)) {
      event.preventDefault();
      toggleFlag(FLAGS[Number(event.key) - 1]);
      return true;
    }
    return false;
  }

  return { show, onKey, current: () => current };
}

// The note as shown (the editor, static/js/note.js, is loaded on first use).
export function showNote(section, note) {
  const body = section.querySelector("[data-note-body]");
  body.innerHTML = note ? note.html : ""; // rendered by the server, raw HTML escaped
  body.hidden = !note;
  section.querySelector("[data-note-edit]").textContent = note ? "Edit note" : "Add a note";
  section.querySelector("[data-note-form]").hidden = true;
  section.querySelector("[data-note-edit]").hidden = false;
  section.querySelector("[data-note-status]").textContent = "";
  section.querySelector("[data-note-text]").value = note ? note.markdown : "";
}

// "Add a note" / "Edit note": load the editor on the first click, then open it.
export function lazyNoteEditor(section, { slug }) {
  let editor = null;
  section.querySelector("[data-note-edit]").addEventListener("click", async () => {
    if (!editor) {
      const { noteEditor } = await import("./note.js");
      editor = noteEditor(section, { slug, show: showNote });
    }
    editor.open();
  });
}
