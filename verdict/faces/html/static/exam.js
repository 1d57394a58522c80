// The student's exam page: the countdown. The server decides everything: the page carries the
// seconds left as the server computed them (data-remaining on #exam-window), this script only
// counts them down on screen, and htmx polls the window fragment from the server every few
// seconds (which restarts the count). When the count reaches zero, or when the server's state
// differs from the one the page was drawn in, the page is loaded again from the server.
"use strict";

(() => {
  const format = (seconds) => {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  };

  const tick = () => {
    const page = document.querySelector(".exam-page[data-page-state]");
    const box = document.getElementById("exam-window");
    if (!page || !box) return;
    if (box.dataset.state !== page.dataset.pageState) {
      window.location.assign(page.dataset.url);
      return;
    }
    if (box.dataset.state !== "running") return;
    if (box.verdictDeadline === undefined) {
      const remaining = Number(box.dataset.remaining) || 0;
      box.verdictDeadline = remaining > 0 ? Date.now() + remaining * 1000 : null;
    }
    if (box.verdictDeadline === null) return; // the server said 0: its next answer decides
    const left = Math.max(0, Math.round((box.verdictDeadline - Date.now()) / 1000));
    const shown = box.querySelector(".countdown");
    if (shown) shown.textContent = format(left);
    if (left === 0) {
      box.verdictDeadline = null;
      window.location.assign(page.dataset.url);
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    tick();
    window.setInterval(tick, 1000);
  });
})();
