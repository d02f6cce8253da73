// The import form: refuse a file over the size limit before sending it, with the reason shown next
// to the field (the server checks again and changes nothing on any problem).
const form = document.querySelector("[data-import-form]");
if (form) {
  const input = form.querySelector('input[type="file"]');
  const error = form.querySelector("[data-file-error]");
  const limit = Number(form.dataset.maxBytes);

  const show = (message) => {
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };

  const check = () => {
    const file = input.files && input.files[0];
    if (!file) return "Choose a progress file (.json) to import.";
    if (file.size > limit) {
      const size = file.size.toLocaleString();
      return `This file is ${size} bytes; the limit is 1 MB (${limit.toLocaleString()} bytes). Nothing was imported.`;
    }
    return "";
  };

  input.addEventListener("change", () => show(check()));
  form.addEventListener("submit", (event) => {
    const message = check();
    if (message) {
      event.preventDefault();
      show(message);
      input.focus();
    }
  });
}

// After an upload the page reloads at #backup: move focus to the outcome so it is read out (the
// field, described by the error, when it failed; the confirmation when it worked).
const result = document.getElementById("import-result");
const failed = document.querySelector('#import-file[aria-invalid="true"]');
if (failed) {
  failed.focus();
} else if (result) {
  result.setAttribute("tabindex", "-1");
  result.focus();
}
