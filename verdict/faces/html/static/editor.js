// The code editor of the submission forms: each <textarea data-editor> becomes a CodeMirror 5
// editor (line numbers, matching brackets, syntax highlighting). Progressive enhancement: the
// textarea stays the form's field (the page works without this script), and the editor writes
// into it on every change, so a normal submit, htmx or anything else reading the form sees the code.
//
// data-language-select="ID" names the <select> of the part's language: the highlighting follows
// the chosen <option>'s data-mode (a MIME type CodeMirror knows) once its data-mode-scripts (paths
// under /static/vendor/codemirror/, computed by the server: verdict/faces/html/editor_modes.py)
// are loaded. Scripts are added as <script src> from this site: the Content-Security-Policy allows
// them, and a page loads only the modes its languages use.
//
// Keyboard: Tab indents (Shift+Tab unindents); Escape, then Tab (or Shift+Tab), leaves the editor,
// as in the plain code box of verdict.js, so keyboard users are never trapped.
"use strict";

(() => {
  const BASE = "/static/vendor/codemirror/";
  const loading = new Map(); // script path -> Promise of its load

  const load = (path) => {
    if (!loading.has(path)) {
      loading.set(path, new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = BASE + path;
        script.addEventListener("load", resolve);
        script.addEventListener("error", () => reject(new Error(`cannot load ${script.src}`)));
        document.head.append(script);
      }));
    }
    return loading.get(path);
  };

  // In order: a mode may build on the one before it (PHP on clike, Rust on the simple-mode addon).
  const loadAll = async (paths) => {
    for (const path of paths) await load(path);
  };

  const chosenMode = (select) => {
    const option = select && select.selectedOptions[0];
    return {
      mime: (option && option.dataset.mode) || "text/plain",
      scripts: ((option && option.dataset.modeScripts) || "").split(" ").filter(Boolean),
    };
  };

  const followLanguage = async (editor, select) => {
    const mode = chosenMode(select);
    editor.verdictWantedMode = mode.mime;
    try {
      await loadAll(mode.scripts);
    } catch (error) {
      console.warn(error.message); // the code stays plain text: still editable and submitted
      return;
    }
    // A quicker later choice may have superseded this one while its scripts loaded.
    if (editor.verdictWantedMode === mode.mime) editor.setOption("mode", mode.mime);
  };

  const indent = (editor) => {
    if (editor.somethingSelected()) editor.indentSelection("add");
    else editor.execCommand("insertSoftTab");
  };

  const enhance = (area) => {
    const label = document.querySelector(`label[for="${area.id}"]`);
    const editor = window.CodeMirror.fromTextArea(area, {
      lineNumbers: true,
      matchBrackets: true,
      indentUnit: 4,
      tabSize: 4,
      indentWithTabs: false,
      screenReaderLabel: label ? label.textContent.trim() : "",
      extraKeys: { Tab: indent, "Shift-Tab": "indentLess" },
    });

    // The label and the hint now belong to the editor's input (the textarea is hidden): a click
    // on the label focuses the editor, and a screen reader reads the hint there.
    const input = editor.getInputField();
    input.id = `${area.id}-editor`;
    if (label) label.htmlFor = input.id;
    const hint = area.getAttribute("aria-describedby");
    if (hint) input.setAttribute("aria-describedby", hint);

    let escaped = false;
    editor.on("keydown", (_editor, event) => {
      if (event.key === "Escape") { escaped = true; return; }
      // CodeMirror leaves an event marked codemirrorIgnore to the browser: Tab moves the focus on.
      if (event.key === "Tab" && escaped) event.codemirrorIgnore = true;
      escaped = false;
    });
    editor.on("blur", () => { escaped = false; });

    editor.on("change", () => editor.save());
    // Someone else wrote into the textarea (verdict.js puts a chosen file's text there).
    area.addEventListener("input", () => {
      if (editor.getValue() !== area.value) editor.setValue(area.value);
    });

    const select = document.getElementById(area.dataset.languageSelect || "");
    if (select) select.addEventListener("change", () => followLanguage(editor, select));
    followLanguage(editor, select);
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.CodeMirror) return; // the plain textarea stays, with verdict.js's Tab handling
    for (const area of document.querySelectorAll("textarea[data-editor]")) enhance(area);
  });
})();
