// Math in statements, with KaTeX (served from /static/vendor/katex/, no CDN).
//
// The statement renderer (verdict.problems.statements) leaves math as TeX inside
//   <span class="math math-inline">\(...\)</span> and <div class="math math-display">\[...\]</div>
// (readable as TeX without JavaScript). This file renders them, when the page loads and in every
// fragment htmx swaps in. Other teacher-written text (INGInious feedback) can be marked with the
// class "math-auto": KaTeX's auto-render finds \(...\), \[...\] and $$...$$ in it.
//
// A file, not an inline script: the Content Security Policy allows scripts from 'self' only.
// katex.render builds the DOM itself (styles through the CSSOM, which `style-src 'self'` allows).
// `trust: false` keeps \href, \url, \includegraphics and \htmlClass... of a statement inert.
//
// Load after KaTeX, all deferred:
//   <link rel="stylesheet" href="/static/vendor/katex/katex.min.css">
//   <script src="/static/vendor/katex/katex.min.js" defer></script>
//   <script src="/static/vendor/katex/auto-render.min.js" defer></script>
//   <script src="/static/math.js" defer></script>
(function () {
  "use strict";

  var OPTIONS = {
    throwOnError: false, // a bad formula shows as red TeX, the rest of the page still renders
    trust: false,
    strict: "ignore",
    maxSize: 20,
    maxExpand: 1000,
    output: "htmlAndMathml", // MathML for screen readers
  };

  function options(display) {
    var copy = { displayMode: display };
    for (var key in OPTIONS) copy[key] = OPTIONS[key];
    return copy;
  }

  function strip(tex, display) {
    var open = display ? "\\[" : "\\(";
    var close = display ? "\\]" : "\\)";
    tex = tex.trim();
    if (tex.slice(0, 2) === open && tex.slice(-2) === close) return tex.slice(2, -2);
    return tex;
  }

  function renderMath(root) {
    if (!root || !root.querySelectorAll || typeof katex === "undefined") return;
    var elements = root.querySelectorAll(".math-inline, .math-display");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      if (element.getAttribute("data-math-rendered")) continue;
      var display = element.classList.contains("math-display");
      var tex = strip(element.textContent, display);
      try {
        katex.render(tex, element, options(display));
        element.setAttribute("data-math-rendered", "1");
        element.setAttribute("title", tex); // the source, on hover and for copying
      } catch (error) {
        // leave the TeX as text
      }
    }
    if (typeof renderMathInElement !== "function") return;
    var auto = root.querySelectorAll(".math-auto");
    for (var j = 0; j < auto.length; j++) {
      var settings = options(false);
      settings.delimiters = [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ];
      renderMathInElement(auto[j], settings);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderMath(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    renderMath(event.target);
  });
  window.verdictRenderMath = renderMath;
})();
