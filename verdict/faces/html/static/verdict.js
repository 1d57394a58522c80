// Verdict's own page scripts. No inline script anywhere (the Content-Security-Policy forbids it):
// behaviour is attached here to data- attributes.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <button data-copy="ID" data-copied="Copied">: copy the value of the input ID (an API token
  // shown once) and say so in the status element that follows the button.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) return;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        const status = button.nextElementSibling;
        if (status) status.textContent = button.dataset.copied || "";
      } catch (_error) {
        // The clipboard may be refused (plain HTTP): the text stays selected for Ctrl+C.
      }
    });
  }
});
