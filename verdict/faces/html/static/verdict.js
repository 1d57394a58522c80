// Verdict's own page scripts. No inline script anywhere (the Content-Security-Policy forbids it):
// behaviour is attached here to data- attributes.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <button data-copy="ID">: copy the text of the input ID (an API token shown once).
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) return;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        button.setAttribute("aria-live", "polite");
        button.dataset.copied = "true";
      } catch (_error) {
        // The clipboard may be refused (no HTTPS): the text stays selected for Ctrl+C.
      }
    });
  }
});
