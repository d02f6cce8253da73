// The note editor: a textarea saved with PUT /api/cards/{slug}/note (Markdown, raw HTML escaped by
// the server). Loaded by marks.js lazyNoteEditor on the first "Add a note" / "Edit note".
// `show(section, note)` redraws the note (marks.js showNote; passed in, so no import cycle).
import { api } from "./api.js";

export function noteEditor(section, { slug, show, onSaved = () => {} }) {
  const edit = section.querySelector("[data-note-edit]");
  const form = section.querySelector("[data-note-form]");
  const textarea = section.querySelector("[data-note-text]");
  const save = section.querySelector("[data-note-save]");
  const cancel = section.querySelector("[data-note-cancel]");
  const status = section.querySelector("[data-note-status]");
  const count = section.querySelector("[data-note-count]");
  let source = textarea.value;

  function close() {
    form.hidden = true;
    edit.hidden = false;
    edit.focus();
  }

  function counter() {
    count.textContent = `${textarea.value.length} of ${textarea.maxLength} characters`;
  }

  function open() {
    source = textarea.value;
    form.hidden = false;
    edit.hidden = true;
    counter();
    textarea.focus();
  }
  textarea.addEventListener("input", counter);
  cancel.addEventListener("click", () => {
    textarea.value = source;
    close();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save.click();
    }
  });
  save.addEventListener("click", async () => {
    try {
      const marks = await api(`/api/cards/${slug()}/note`, { method: "PUT", body: JSON.stringify({ text: textarea.value }) }, 2);
      show(section, marks.note);
      status.textContent = marks.note ? "Note saved." : "Note removed.";
      edit.focus();
      onSaved(marks);
    } catch (error) {
      status.textContent = `Your note was not saved: ${error.message}`;
    }
  });

  return { open };
}
