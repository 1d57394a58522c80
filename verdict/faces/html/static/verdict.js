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

  // <input type="file" data-load-into="ID">: put the chosen file's text into the code box ID, so
  // that it can be read and edited before submitting (the file is sent too, for pages without JS).
  for (const input of document.querySelectorAll("input[type=file][data-load-into]")) {
    input.addEventListener("change", async () => {
      const target = document.getElementById(input.dataset.loadInto);
      const file = input.files && input.files[0];
      if (!target || !file) return;
      target.value = await file.text();
      // As typing would: the code editor (editor.js), if any, takes the text from the textarea.
      target.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // <textarea data-tabs>: Tab indents in a code box; Escape, then Tab, leaves it (keyboard users
  // are never trapped).
  for (const area of document.querySelectorAll("textarea[data-tabs]")) {
    let escaped = false;
    area.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { escaped = true; return; }
      if (event.key !== "Tab" || event.shiftKey || escaped) { escaped = false; return; }
      event.preventDefault();
      const start = area.selectionStart;
      area.setRangeText("    ", start, area.selectionEnd, "end");
    });
    area.addEventListener("blur", () => { escaped = false; });
  }
});

// A table wider (or taller) than its .scroll box scrolls inside it: the box then takes the focus,
// so the keyboard can scroll it too (WCAG 2.1.1); a box that fits stays out of the tab order.
// Checked when the page loads, when the window is resized and after every htmx swap.
function focusableScrollBoxes() {
  for (const box of document.querySelectorAll(".scroll")) {
    if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
      box.setAttribute("tabindex", "0");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
    }
  }
}
document.addEventListener("DOMContentLoaded", focusableScrollBoxes);
window.addEventListener("resize", focusableScrollBoxes);
document.addEventListener("htmx:afterSettle", focusableScrollBoxes);
